using System.Text.RegularExpressions;
using MailHost.Fuzz.Sessions;
using MailHost.Hosting;
using MailHost.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// A whole SMTP connection on an MX endpoint (mail for alice@example.com is delivered to a fresh in-memory store): the
/// input is everything the client sends, then it closes.
/// </summary>
/// <remarks>
/// Invariants: the session ends within the time limit; no exception escapes it; every reply line is
/// <c>NNN-text</c> or <c>NNN text</c> with CRLF and no bare CR, LF or NUL (RFC 5321 §4.2); the lines of a multi-line
/// reply share their code; the first reply is the 220 greeting.
/// </remarks>
internal static partial class SmtpSessionTarget
{

    public static void Run(byte[] data)
    {
        var store = SessionEnvironment.NewStoreAsync().GetAwaiter().GetResult();
        var options = new SmtpOptions { MaxMessageSize = 64 * 1024, MaxRecipients = 10 };
        var limits = new MailLimitsOptions();
        var services = new SmtpServices
        {
            Store = store,
            Sasl = SessionEnvironment.Sasl,
            Addresses = new SmtpAddressPolicy(SessionEnvironment.Directory, "mx.example.com", "+"),
            UnknownRecipients = new SmtpUnknownRecipientLimiter(Options.Create(options), limits, TimeProvider.System),
            Options = options,
            Authentication = SessionEnvironment.Authentication,
            Hostname = "mx.example.com",
            Connection = new()
            {
                Protocol = MailProtocol.Smtp,
                WriteTimeout = options.WriteTimeout,
                TimeProvider = TimeProvider.System,
                LoggerFactory = NullLoggerFactory.Instance,
                Logger = NullLogger.Instance,
            },
        };
        var output = SessionEnvironment.Run(MailProtocol.Smtp, data, async connection =>
        {
            var session = new SmtpSession(connection, services, CancellationToken.None);
            await using (session.ConfigureAwait(false))
            {
                await session.RunAsync().ConfigureAwait(false);
            }
        });

        var lines = ReplyChecks.Lines(output, "SMTP");
        FuzzInvariantException.Check(lines.Count > 0 && lines[0].StartsWith("220", StringComparison.Ordinal), "No 220 greeting");
        string? continuing = null;
        foreach (var line in lines)
        {
            FuzzInvariantException.Check(ReplyLine().IsMatch(line), $"SMTP: a malformed reply line: {line}");
            FuzzInvariantException.Check(continuing is null || line.StartsWith(continuing, StringComparison.Ordinal), $"SMTP: a multi-line reply changes its code: {line}");
            continuing = line[3] == '-' ? line[..3] : null;
        }

        FuzzInvariantException.Check(continuing is null, "SMTP: the last reply is unfinished");
    }

    [GeneratedRegex(@"^[2-5][0-9][0-9]([ -].*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReplyLine();
}
