using MailHost.Imap.Handlers;

namespace MailHost.Imap;

/// <summary>
/// The command handlers of one session, grouped as RFC 9051 §6 groups the commands, and what several of them share.
/// <see cref="ImapSession"/> routes each command to one of them. A handler is made when its first command arrives, so
/// a connection pays only for the commands it uses (most idle in IDLE after LOGIN and SELECT).
/// </summary>
internal sealed class ImapCommandHandlers(ImapSessionState session, ImapServices services, IImapConnection connection)
{
    /// <summary>What the session advertises; the greeting carries it too.</summary>
    public ImapCapabilityList Capabilities { get; } = new(session, services, connection);

    // §6.1: any state.
    public ImapAnyStateHandler AnyState => field ??= new(session, Capabilities, Updates, services.Logger);

    // §6.2: not authenticated.
    public ImapLoginHandler Login => field ??= new(session, services, connection, Capabilities);

    // §6.3: authenticated, with the extensions that belong there.
    public ImapEnableHandler Enable => field ??= new(session, Capabilities);

    public ImapCompressHandler Compress => field ??= new(session, connection);

    public ImapSelectHandler Select => field ??= new(session, Replies, Updates);

    public ImapMailboxHandler Mailboxes => field ??= new(session, services.Store, Replies);

    public ImapListHandler List => field ??= new(session, services.Options);

    public ImapStatusHandler Status => field ??= new(session, services.Options, Replies);

    /// <summary>APPEND, which also takes each message literal while its command line is read.</summary>
    public ImapAppendHandler Append => field ??= new(session, services, Replies, Updates);

    public ImapIdleHandler Idle => field ??= new(session, services, connection, Updates);

    public ImapQuotaHandler Quota => field ??= new(session, Replies);

    // §6.4: selected.
    public ImapExpungeHandler Expunge => field ??= new(session, Replies, Updates);

    public ImapSearchHandler Search => field ??= new(session, Replies, Updates);

    public ImapFetchHandler Fetch => field ??= new(session, Replies, Updates);

    public ImapStoreHandler Store => field ??= new(session, Replies, Updates);

    public ImapCopyHandler Copy => field ??= new(session, Replies, Updates, services.JunkTraining);

    public ImapSortHandler Sort => field ??= new(session, Replies, Updates);

    private ImapReplies Replies => field ??= new(session, services.Logger);

    private ImapMailboxUpdates Updates => field ??= new(session, services.Logger);
}
