using MailHost.Fuzz.Sessions;
using MailHost.Hosting;
using MailHost.Imap;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// A whole IMAP connection: the input is everything the client sends, then it closes; the session runs on in-memory
/// pipes with a fresh in-memory store holding three messages for alice (password <c>alice-pw</c>).
/// </summary>
/// <remarks>
/// Invariants: the session ends within the time limit once the client has closed; no exception escapes it; the output
/// passes <see cref="ImapReplyChecks"/> and starts with the greeting.
/// </remarks>
internal static class ImapSessionTarget
{

    public static void Run(byte[] data) => _ = Session(data);

    /// <summary>Runs one session and returns its checked response lines.</summary>
    internal static List<string> Session(byte[] data)
    {
        var store = SessionEnvironment.NewStoreAsync().GetAwaiter().GetResult();
        var services = new ImapServices
        {
            Store = store,
            Passwords = SessionEnvironment.Passwords,
            Sasl = SessionEnvironment.Sasl,
            Options = new ImapOptions(),
            MaxLoginFailures = SessionEnvironment.Authentication.MaxFailuresPerConnection,
            TimeProvider = TimeProvider.System,
            LoggerFactory = NullLoggerFactory.Instance,
            Logger = NullLogger.Instance,
        };
        var output = SessionEnvironment.Run(MailProtocol.Imap, data, async connection =>
        {
            using var session = new ImapSession(connection, services, CancellationToken.None);
            await session.RunAsync().ConfigureAwait(false);
        });
        var lines = ImapReplyChecks.Check(output);
        FuzzInvariantException.Check(lines.Count > 0 && lines[0].StartsWith("* OK", StringComparison.Ordinal), "No IMAP greeting");
        return lines;
    }
}
