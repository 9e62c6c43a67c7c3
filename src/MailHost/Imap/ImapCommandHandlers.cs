using MailHost.Imap.Handlers;

namespace MailHost.Imap;

/// <summary>
/// The command handlers of one session, grouped as RFC 9051 §6 groups the commands, and what several of them share.
/// Built once per connection; <see cref="ImapSession"/> routes each command to one of them.
/// </summary>
internal sealed class ImapCommandHandlers
{
    public ImapCommandHandlers(ImapSessionState session, ImapServices services, IImapConnection connection)
    {
        var replies = new ImapReplies(session, services.Logger);
        var updates = new ImapMailboxUpdates(session, services.Logger);
        Capabilities = new ImapCapabilityList(session, services, connection);

        // §6.1 any state; §6.2 not authenticated.
        AnyState = new ImapAnyStateHandler(session, Capabilities, updates, services.Logger);
        Login = new ImapLoginHandler(session, services, connection, Capabilities);

        // §6.3 authenticated, with the extensions that belong there.
        Enable = new ImapEnableHandler(session, Capabilities);
        Compress = new ImapCompressHandler(session, connection);
        Select = new ImapSelectHandler(session, replies, updates);
        Mailboxes = new ImapMailboxHandler(session, services.Store, replies);
        List = new ImapListHandler(session, services.Options);
        Status = new ImapStatusHandler(session, services.Options, replies);
        Append = new ImapAppendHandler(session, services, replies, updates);
        Idle = new ImapIdleHandler(session, services, connection, updates);
        Quota = new ImapQuotaHandler(session, replies);

        // §6.4 selected.
        Expunge = new ImapExpungeHandler(session, replies, updates);
        Search = new ImapSearchHandler(session, replies, updates);
        Fetch = new ImapFetchHandler(session, replies, updates);
        Store = new ImapStoreHandler(session, replies, updates);
        Copy = new ImapCopyHandler(session, replies, updates);
        Sort = new ImapSortHandler(session, replies, updates);
    }

    /// <summary>What the session advertises; the greeting carries it too.</summary>
    public ImapCapabilityList Capabilities { get; }

    public ImapAnyStateHandler AnyState { get; }

    public ImapLoginHandler Login { get; }

    public ImapEnableHandler Enable { get; }

    public ImapCompressHandler Compress { get; }

    public ImapSelectHandler Select { get; }

    public ImapMailboxHandler Mailboxes { get; }

    public ImapListHandler List { get; }

    public ImapStatusHandler Status { get; }

    /// <summary>APPEND, which also takes each message literal while its command line is read.</summary>
    public ImapAppendHandler Append { get; }

    public ImapIdleHandler Idle { get; }

    public ImapQuotaHandler Quota { get; }

    public ImapExpungeHandler Expunge { get; }

    public ImapSearchHandler Search { get; }

    public ImapFetchHandler Fetch { get; }

    public ImapStoreHandler Store { get; }

    public ImapCopyHandler Copy { get; }

    public ImapSortHandler Sort { get; }
}
