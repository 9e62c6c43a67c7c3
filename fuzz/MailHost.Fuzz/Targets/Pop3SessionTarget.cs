using MailHost.Fuzz.Sessions;
using MailHost.Hosting;
using MailHost.Pop3;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// A whole POP3 connection on a fresh in-memory store holding three messages for alice (password <c>alice-pw</c>): the
/// input is everything the client sends, then it closes.
/// </summary>
/// <remarks>
/// Invariants: the session ends within the time limit; no exception escapes it; every line ends with CRLF with no
/// bare CR, LF or NUL (RFC 1939 §3); the first line is the <c>+OK</c> greeting.
/// </remarks>
internal static class Pop3SessionTarget
{

    public static void Run(byte[] data)
    {
        var store = SessionEnvironment.NewStoreAsync().GetAwaiter().GetResult();
        var options = new Pop3Options();
        var services = new Pop3Services
        {
            Store = store,
            Passwords = SessionEnvironment.Passwords,
            Sasl = SessionEnvironment.Sasl,
            Locks = new Pop3MaildropLocks(),
            Options = options,
            Authentication = SessionEnvironment.Authentication,
            Connection = new()
            {
                Protocol = MailProtocol.Pop3,
                WriteTimeout = options.WriteTimeout,
                TimeProvider = TimeProvider.System,
                LoggerFactory = NullLoggerFactory.Instance,
                Logger = NullLogger.Instance,
            },
        };
        var output = SessionEnvironment.Run(MailProtocol.Pop3, data, async connection =>
        {
            using var session = new Pop3Session(connection, services, CancellationToken.None);
            await session.RunAsync().ConfigureAwait(false);
        });

        var lines = ReplyChecks.Lines(output, "POP3");
        FuzzInvariantException.Check(lines.Count > 0 && lines[0].StartsWith("+OK", StringComparison.Ordinal), "No +OK greeting");
    }
}
