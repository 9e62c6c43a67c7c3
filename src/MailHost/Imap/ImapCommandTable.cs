using System.Collections.Frozen;
using MailHost.Protocols.Imap;

namespace MailHost.Imap;

/// <summary>
/// Which command is valid in which connection state (RFC 9051 §6), apart from the handlers that run them. A command
/// not in the table, or not allowed in the current state, is answered <c>BAD</c> by the session.
/// </summary>
internal static class ImapCommandTable
{
    private const ImapStates Any = ImapStates.NotAuthenticated | ImapStates.Authenticated | ImapStates.Selected;
    private const ImapStates LoggedIn = ImapStates.Authenticated | ImapStates.Selected;

    private static readonly FrozenDictionary<Type, ImapStates> Allowed = new Dictionary<Type, ImapStates>
    {
        // RFC 9051 §6.1: any state.
        [typeof(CapabilityCommand)] = Any,
        [typeof(NoopCommand)] = Any,
        [typeof(LogoutCommand)] = Any,
        [typeof(IdCommand)] = Any, // RFC 2971 §3.1: any state.

        // §6.2: not authenticated.
        [typeof(StartTlsCommand)] = ImapStates.NotAuthenticated,
        [typeof(AuthenticateCommand)] = ImapStates.NotAuthenticated,
        [typeof(LoginCommand)] = ImapStates.NotAuthenticated,

        // §6.3: authenticated (and selected, which includes it).
        [typeof(EnableCommand)] = ImapStates.Authenticated, // RFC 5161 §3.1: only before SELECT.
        [typeof(SelectCommand)] = LoggedIn,
        [typeof(ExamineCommand)] = LoggedIn,
        [typeof(CreateCommand)] = LoggedIn,
        [typeof(DeleteCommand)] = LoggedIn,
        [typeof(RenameCommand)] = LoggedIn,
        [typeof(SubscribeCommand)] = LoggedIn,
        [typeof(UnsubscribeCommand)] = LoggedIn,
        [typeof(ListCommand)] = LoggedIn,
        [typeof(LsubCommand)] = LoggedIn,
        [typeof(NamespaceCommand)] = LoggedIn,
        [typeof(StatusCommand)] = LoggedIn,
        [typeof(AppendCommand)] = LoggedIn,
        [typeof(IdleCommand)] = LoggedIn,
        [typeof(GetQuotaCommand)] = LoggedIn,
        [typeof(GetQuotaRootCommand)] = LoggedIn,
        [typeof(SetQuotaCommand)] = LoggedIn,
        [typeof(CompressCommand)] = LoggedIn, // RFC 4978 §3; not before login (compression before authentication aids CRIME-style attacks).

        // §6.4: selected.
        [typeof(CheckCommand)] = ImapStates.Selected,
        [typeof(CloseCommand)] = ImapStates.Selected,
        [typeof(UnselectCommand)] = ImapStates.Selected,
        [typeof(ExpungeCommand)] = ImapStates.Selected,
        [typeof(SearchCommand)] = ImapStates.Selected,
        [typeof(FetchCommand)] = ImapStates.Selected,
        [typeof(StoreCommand)] = ImapStates.Selected,
        [typeof(CopyCommand)] = ImapStates.Selected,
        [typeof(MoveCommand)] = ImapStates.Selected,
        [typeof(SortCommand)] = ImapStates.Selected,
        [typeof(ThreadCommand)] = ImapStates.Selected,
    }.ToFrozenDictionary();

    // The capabilities that announce a command (RFC 9051 §6.1.1: a client uses an extension's commands only when the
    // server advertises it). A command not listed here is IMAP4rev1/IMAP4rev2 itself and cannot be hidden.
    private static readonly FrozenDictionary<Type, string[]> Extensions = new Dictionary<Type, string[]>
    {
        [typeof(IdCommand)] = ["ID"], // RFC 2971
        [typeof(EnableCommand)] = ["ENABLE"], // RFC 5161
        [typeof(NamespaceCommand)] = ["NAMESPACE"], // RFC 2342
        [typeof(IdleCommand)] = ["IDLE"], // RFC 2177
        [typeof(GetQuotaCommand)] = ["QUOTA"], // RFC 9208
        [typeof(GetQuotaRootCommand)] = ["QUOTA"],
        [typeof(SetQuotaCommand)] = ["QUOTA"],
        [typeof(CompressCommand)] = ["COMPRESS=DEFLATE"], // RFC 4978
        [typeof(UnselectCommand)] = ["UNSELECT"], // RFC 3691
        [typeof(MoveCommand)] = ["MOVE"], // RFC 6851
        [typeof(SortCommand)] = ["SORT"], // RFC 5256
        [typeof(ThreadCommand)] = ["THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"],
    }.ToFrozenDictionary();

    [Flags]
    private enum ImapStates
    {
        NotAuthenticated = ImapState.NotAuthenticated,
        Authenticated = ImapState.Authenticated,
        Selected = ImapState.Selected,
    }

    /// <summary>
    /// The capabilities that announce <paramref name="command"/>, any one of which lets a client use it; empty for the
    /// base protocol's commands. IDLE, ENABLE, NAMESPACE, UNSELECT and MOVE are also part of IMAP4rev2 (RFC 9051
    /// Appendix E), but an IMAP4rev1 client, the kind a client policy hides them from, learns of them only from their own.
    /// </summary>
    public static string[] ExtensionsOf(ImapCommand command)
        => Extensions.TryGetValue(command.GetType(), out var names) ? names : [];

    /// <summary>Whether the server implements <paramref name="command"/> at all.</summary>
    public static bool IsKnown(ImapCommand command) => Allowed.ContainsKey(command.GetType());

    /// <summary>Whether <paramref name="command"/> may run in <paramref name="state"/>.</summary>
    public static bool IsAllowed(ImapCommand command, ImapState state)
        => Allowed.TryGetValue(command.GetType(), out var states) && (states & (ImapStates)state) != 0;

    /// <summary>
    /// Whether untagged EXPUNGE responses may be sent after this command (RFC 9051 §7.5.1): not after FETCH, STORE
    /// or SEARCH by sequence number, where they would change the numbers the client is using.
    /// </summary>
    public static bool AllowsExpungeResponses(ImapCommand command) => command switch
    {
        FetchCommand fetch => fetch.IsUid,
        StoreCommand store => store.IsUid,
        SearchCommand search => search.IsUid,
        SortCommand sort => sort.IsUid,
        ThreadCommand thread => thread.IsUid,
        _ => true,
    };
}
