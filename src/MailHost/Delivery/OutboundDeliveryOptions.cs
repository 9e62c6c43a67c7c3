namespace MailHost.Delivery;

/// <summary>Outbound queue and delivery settings (configuration section <c>MailHost:Outbound</c>).</summary>
public sealed class OutboundDeliveryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Outbound";

    /// <summary>
    /// The name given in EHLO and in the Reporting-MTA of notifications; <see langword="null"/> uses
    /// <c>MailHost:Hostname</c>.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>How long a message is retried before its pending recipients expire and bounce. Default 5 days.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(5);

    /// <summary>The wait after the first temporary failure; each further failure doubles it. Default 5 minutes.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest wait between attempts. Default 4 hours.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How long a worker holds a claimed message before another worker may take it over. Default 10 minutes.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages worked on at once by this host. Default 4.</summary>
    public int MaxConcurrentMessages { get; set; } = 4;

    /// <summary>Connections open at once to one destination (a domain, route or the smart host). Default 2.</summary>
    public int MaxConnectionsPerDestination { get; set; } = 2;

    /// <summary>Recipients sent in one SMTP transaction; RFC 5321 §4.5.3.1.8 asks servers to take at least 100. Default 100.</summary>
    public int MaxRecipientsPerTransaction { get; set; } = 100;

    /// <summary>How long an idle connection is kept for reuse. Default 30 seconds.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time limit for connecting and for each SMTP command. Default 2 minutes.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the queue is looked at when nothing wakes the worker (other hosts may share it). Default 30 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The port used for MX delivery. Default 25 (RFC 5321 §4.5.4); other values are for split setups and tests.</summary>
    public int MxPort { get; set; } = 25;

    /// <summary>
    /// Static routes: a recipient domain (lower case) to <c>host:port</c> (or <c>host</c> for port 25, or
    /// <c>[address]:port</c>), used instead of MX lookup and the smart host. The host name is resolved through A/AAAA.
    /// TLS is opportunistic (STARTTLS when offered).
    /// </summary>
    public Dictionary<string, string> Routes { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set, mail for every domain without a route goes to this relay instead of MX hosts.</summary>
    public OutboundSmartHostOptions? SmartHost { get; set; }

    /// <summary>Whether outbound mail is DKIM-signed with the sender domain's key when one exists. Default true.</summary>
    public bool DkimSign { get; set; } = true;
}
