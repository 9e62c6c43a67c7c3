namespace MailHost.Pop3;

/// <summary>POP3 settings (configuration section <c>MailHost:Pop3</c>).</summary>
public sealed class Pop3Options
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Pop3";

    /// <summary>
    /// Idle time allowed once logged in. RFC 1939 §3 requires at least 10 minutes. Default 10 minutes.
    /// </summary>
    public TimeSpan AuthenticatedIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a flush of replies (a RETR in progress included) may wait for the client to read them; past it the
    /// connection is closed. Default 2 minutes.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Unknown or malformed commands tolerated before the connection is closed. Default 10.</summary>
    public int MaxBadCommands { get; set; } = 10;

    /// <summary>
    /// Replace NUL bytes in RETR/TOP output with a space, for clients that hang on them (Outlook). Default false: the
    /// stored bytes go out unchanged. A client policy's <c>Pop3ReplaceNulBytes</c> sets it per account
    /// (<c>MailHost:Auth:ClientPolicies</c>).
    /// </summary>
    public bool ReplaceNulBytes { get; set; }
}
