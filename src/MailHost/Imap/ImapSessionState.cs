using System.Globalization;
using MailHost.Connections;
using MailHost.Logins;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// What the command handlers of one IMAP session share: the connection state (RFC 9051 §3), the open account, the
/// selected mailbox, the extensions the client enabled, and the writer every response goes through. Each change of
/// state is a method here, so what a handler may change is visible in one place.
/// </summary>
internal sealed class ImapSessionState : IAsyncDisposable
{
    private readonly ImapCommandParser _parser;
    private IMailAccount? _account;

    public ImapSessionState(IMailConnectionFeature connection, ImapCommandParser parser, ImapOutput output, CancellationToken stopRequested, CancellationToken shutdownDeadline)
    {
        Connection = connection;
        _parser = parser;
        StopRequested = stopRequested;
        Stopping = shutdownDeadline;
        Output = output;
        Writer = new ImapResponseWriter(output);
    }

    /// <summary>The connection as the rest of MailHost sees it: remote end, endpoint, TLS, and the names logged with it.</summary>
    public IMailConnectionFeature Connection { get; }

    /// <summary>
    /// The token of store work: cancelled when the server can wait no longer, <c>MailHost:ShutdownTimeout</c> after it
    /// began to stop. A command or APPEND running when the stop begins may still finish and be answered.
    /// </summary>
    public CancellationToken Stopping { get; }

    /// <summary>Cancelled as soon as the server begins to stop: waits for the client (IDLE) end at once.</summary>
    public CancellationToken StopRequested { get; }

    public ImapState State { get; private set; } = ImapState.NotAuthenticated;

    /// <summary>Where responses go: flushes and message data. Replaced when STARTTLS or COMPRESS changes the transport.</summary>
    public ImapOutput Output { get; private set; }

    /// <summary>Writes responses to <see cref="Output"/>; replaced with it.</summary>
    public ImapResponseWriter Writer { get; private set; }

    /// <summary>The logged-in account.</summary>
    /// <exception cref="InvalidOperationException">No one is logged in.</exception>
    public IMailAccount Account => _account ?? throw new InvalidOperationException("No account is open.");

    /// <summary>The logged-in account's quota (RFC 9208), when its store keeps one; null before login.</summary>
    public IMailAccountQuota? Quota => _account as IMailAccountQuota;

    /// <summary>The logged-in account's client policy (hidden capabilities); <see cref="ClientPolicy.None"/> before login.</summary>
    public ClientPolicy Policy { get; private set; } = ClientPolicy.None;

    /// <summary>The selected mailbox, in the selected state.</summary>
    public ImapSelectedMailbox? Selected { get; private set; }

    /// <summary>ENABLE IMAP4rev2 was accepted: IMAP4rev2 rules where they differ from IMAP4rev1 (no \Recent, ESEARCH).</summary>
    public bool Rev2 { get; private set; }

    /// <summary>Mailbox names are UTF-8 both ways (RFC 9051 §5.1, RFC 6855 §3).</summary>
    public bool Utf8 { get; private set; }

    /// <summary>The session is CONDSTORE-aware (RFC 7162 §3.1).</summary>
    public bool Condstore { get; private set; }

    /// <summary>ENABLE QRESYNC was accepted (RFC 7162 §3.2.3).</summary>
    public bool Qresync { get; private set; }

    /// <summary>Writes from now on to <paramref name="output"/>, a new transport's (STARTTLS, COMPRESS).</summary>
    public void UseOutput(ImapOutput output)
    {
        Output = output;
        Writer = new ImapResponseWriter(output) { Utf8Enabled = Utf8 };
    }

    /// <summary>
    /// Enters the authenticated state (RFC 9051 §3.2) with <paramref name="account"/>, opened for <paramref name="name"/>,
    /// under the account's client <paramref name="policy"/>.
    /// </summary>
    public void LogIn(IMailAccount account, string name, ClientPolicy policy)
    {
        _account = account;
        Policy = policy;
        Connection.Account = name;
        State = ImapState.Authenticated;
        _parser.IsAuthenticated = true;
    }

    /// <summary>Enters the selected state (RFC 9051 §3.3) with <paramref name="mailbox"/>.</summary>
    public void Select(ImapSelectedMailbox mailbox)
    {
        Selected = mailbox;
        State = ImapState.Selected;
    }

    /// <summary>Leaves the selected state without expunging (CLOSE, UNSELECT, SELECT of another mailbox, logout).</summary>
    public async Task CloseMailboxAsync()
    {
        var selected = Selected;
        Selected = null;
        if (State == ImapState.Selected)
        {
            State = ImapState.Authenticated;
        }

        if (selected is not null)
        {
            await selected.View.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Enters the logout state (RFC 9051 §3.4): the session ends after this command.</summary>
    public void LogOut() => State = ImapState.Logout;

    /// <summary>ENABLE IMAP4rev2 (RFC 9051 §6.3.1), which implies UTF-8 names.</summary>
    public void EnableRev2()
    {
        Rev2 = true;
        EnableUtf8();
    }

    /// <summary>RFC 9051 §5.1 / RFC 6855 §3: mailbox names in UTF-8 both ways.</summary>
    public void EnableUtf8()
    {
        Utf8 = true;
        _parser.Utf8Enabled = true;
        Writer.Utf8Enabled = true;
    }

    /// <summary>
    /// Makes the session CONDSTORE-aware for good, as the first CONDSTORE-enabling command does (RFC 7162 §3.1:
    /// ENABLE CONDSTORE or QRESYNC, SELECT/EXAMINE (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH or SEARCH with MODSEQ,
    /// FETCH (CHANGEDSINCE), STORE (UNCHANGEDSINCE)). From then on every FETCH response caused by a flag change carries
    /// MODSEQ. Issued with a mailbox selected, the first one is answered with that mailbox's HIGHESTMODSEQ before
    /// anything else (§3.1.2.1), so the client has a starting point for the mod-sequences it is about to see.
    /// </summary>
    public void EnableCondstore()
    {
        if (Condstore)
        {
            return;
        }

        Condstore = true;
        if (Selected is { } selected)
        {
            // The value as of the changes this session has reported; anything later still reaches the client.
            var highest = selected.View.Snapshot.HighestModSeq.ToString(CultureInfo.InvariantCulture);
            Writer.WriteUntagged(ImapResponseStatus.Ok, "HIGHESTMODSEQ " + highest, "Highest");
        }
    }

    /// <summary>ENABLE QRESYNC; RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.</summary>
    public void EnableQresync()
    {
        Qresync = true;
        EnableCondstore();
    }

    /// <summary>Closes the selected mailbox and the account: the session has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseMailboxAsync().ConfigureAwait(false);
        if (_account is not null)
        {
            await _account.DisposeAsync().ConfigureAwait(false);
        }
    }
}
