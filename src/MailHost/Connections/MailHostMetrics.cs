using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MailHost.Hosting;

namespace MailHost.Connections;

/// <summary>
/// The <c>MailHost</c> meter (System.Diagnostics.Metrics, ready for OpenTelemetry or dotnet-counters):
/// connections opened, open now, refused (before the greeting, or their TLS handshake), and closed by the server
/// when a deadline passed, tagged by endpoint and protocol; submitted messages refused for their author fields, tagged
/// by field; the work and refusals of authentication (password checks, blocks, empty passwords); and the seconds until
/// each served certificate expires, tagged by certificate name; and the ACME orders of the built-in client, by outcome.
/// The mail work itself (commands, authentication attempts, messages, the outbound queue, store operations, TLS
/// handshakes) is in <c>MailHostMetrics.Operations.cs</c>. Every tag value is one of a fixed set: nothing a client
/// sends becomes a tag value of its own.
/// </summary>
public static partial class MailHostMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "MailHost";

    // A property over a holder class, not a field: the instruments are static fields in two files of this partial
    // class, and C# leaves the order of static initializers across the files of a partial class unspecified.
    internal static Meter Meter => MeterHolder.Meter;

    // The meter is process-wide while certificate stores belong to hosts (a test process runs many): each store adds
    // its measurements while it lives.
    private static readonly MeasurementSources CertificateExpirySources = new();

    internal static readonly Counter<long> ConnectionsOpened = Meter.CreateCounter<long>(
        "mailhost.connections.opened", unit: "{connection}", description: "Connections accepted on mail endpoints.");

    internal static readonly UpDownCounter<long> ConnectionsActive = Meter.CreateUpDownCounter<long>(
        "mailhost.connections.active", unit: "{connection}", description: "Connections open on mail endpoints now.");

    internal static readonly Counter<long> ConnectionsRefused = Meter.CreateCounter<long>(
        "mailhost.connections.refused", unit: "{connection}", description: "Connections refused before the greeting, or their TLS handshake refused, by reason.");

    internal static readonly Counter<long> SubmissionAuthorRefused = Meter.CreateCounter<long>(
        "mailhost.smtp.submission.author_refused", unit: "{message}", description: "Submitted messages refused because their From or Sender field names an address the account does not own, by field.");

    internal static readonly Counter<long> PasswordChecks = Meter.CreateCounter<long>(
        "mailhost.auth.password.checks", unit: "{check}",
        description: "Password checks (PLAIN, LOGIN, USER/PASS) of existing records, by whether the verification cache answered (cache=hit) or PBKDF2 ran (cache=miss).");

    internal static readonly Counter<long> PasswordUpgrades = Meter.CreateCounter<long>(
        "mailhost.auth.password.upgrades", unit: "{record}", description: "Password records re-derived with the configured iteration count after a login.");

    internal static readonly Counter<long> AuthenticationBlocks = Meter.CreateCounter<long>(
        "mailhost.auth.blocks", unit: "{block}", description: "Addresses and logins blocked by the authentication throttle, by scope (address or login).");

    internal static readonly Counter<long> BlockedLoginChecks = Meter.CreateCounter<long>(
        "mailhost.auth.blocked_login.checks", unit: "{attempt}",
        description: "Attempts on a login blocked by failures elsewhere, checked because their address had no failures of its own, by outcome.");

    internal static readonly Counter<long> EmptyPasswords = Meter.CreateCounter<long>(
        "mailhost.auth.empty_passwords", unit: "{attempt}", description: "Empty passwords refused, by whether they were within the limit (result=refused) or over it (result=limited).");

    internal static readonly Counter<long> UnrecordedAttempts = Meter.CreateCounter<long>(
        "mailhost.auth.attempts.unrecorded", unit: "{attempt}",
        description: "Attempts refused without a password check and left out of the login history (coalesced), by outcome.");

    internal static readonly Counter<long> ConnectionsTimedOut = Meter.CreateCounter<long>(
        "mailhost.connections.timed_out", unit: "{connection}", description: "Connections closed by the server because a deadline passed, by reason.");

    internal static readonly Counter<long> AcmeOrders = Meter.CreateCounter<long>(
        "mailhost.acme.orders", unit: "{order}", description: "ACME orders for the host's certificate, by certificate name and outcome (issued, failed).");

    internal static readonly ObservableGauge<double> CertificateExpiry = Meter.CreateObservableGauge(
        "mailhost.certificate.expiry", CertificateExpirySources.Measure, unit: "s",
        description: "Seconds until each served server certificate expires (negative once expired), by certificate name.");

    /// <summary>A client that did not read its replies within the write timeout.</summary>
    internal const string WriteReason = "write";

    /// <summary>A client that was not reading its replies when the host stopped.</summary>
    internal const string ShutdownReason = "shutdown";

    /// <summary>An IMAP or POP3 client idle past its autologout time.</summary>
    internal const string IdleReason = "idle";

    /// <summary>An SMTP command line (or SASL response) not complete within its deadline.</summary>
    internal const string CommandReason = "command";

    /// <summary>A DATA or BDAT transfer slower than its deadline allows.</summary>
    internal const string DataReason = "data";

    /// <summary>A session past its total time limit.</summary>
    internal const string SessionReason = "session";

    internal static TagList Tags(IMailConnectionFeature connection) => new()
    {
        { "endpoint", connection.Endpoint.Name },
        { "protocol", ProtocolName(connection.Endpoint.Protocol) },
    };

    internal static void Refused(MailConnection connection, string reason)
    {
        var tags = Tags(connection);
        tags.Add("reason", reason);
        ConnectionsRefused.Add(1, tags);
    }

    internal static void TimedOut(IMailConnectionFeature connection, string reason)
    {
        var tags = Tags(connection);
        tags.Add("reason", reason);
        ConnectionsTimedOut.Add(1, tags);
    }

    /// <summary>
    /// The <c>protocol</c> tag of an endpoint: <c>imap</c>, <c>pop3</c>, <c>smtp</c> (MX) or <c>submission</c>, lower-case
    /// as OpenTelemetry's semantic conventions write protocol names.
    /// </summary>
    internal static string ProtocolName(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "imap",
        MailProtocol.Pop3 => "pop3",
        MailProtocol.Smtp => "smtp",
        MailProtocol.Submission => "submission",
        _ => "other",
    };

    /// <summary>Adds <paramref name="source"/>'s measurements to <c>mailhost.certificate.expiry</c> until the result is disposed.</summary>
    internal static IDisposable ObserveCertificateExpiry(Func<IEnumerable<Measurement<double>>> source) => CertificateExpirySources.Add(source);

    private static class MeterHolder
    {
        public static readonly Meter Meter = new(MeterName);
    }

    /// <summary>
    /// The measurements of an observable instrument that several owners (stores, queue workers) feed while they live:
    /// the meter is process-wide, the owners belong to hosts, and a test process runs many hosts.
    /// </summary>
    private sealed class MeasurementSources
    {
        private readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> _sources = new();

        public IEnumerable<Measurement<double>> Measure() => _sources.Values.SelectMany(source => source());

        /// <summary>Adds <paramref name="source"/> until the result is disposed.</summary>
        public IDisposable Add(Func<IEnumerable<Measurement<double>>> source)
        {
            var key = new object();
            _sources[key] = source;
            return new Unregister(_sources, key);
        }

        private sealed class Unregister(ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> sources, object key) : IDisposable
        {
            public void Dispose() => sources.TryRemove(key, out _);
        }
    }
}
