using MailHost.Imap;
using MailHost.Protocols.Imap;

namespace MailHost.Tests.Imap;

public sealed class ImapCommandTableTests
{
    private static readonly ImapSequenceSet One = new([new ImapSequenceRange(1, 1)]);

    public static TheoryData<ImapCommand, bool, bool, bool> Rows => new()
    {
        // command, not authenticated, authenticated, selected (RFC 9051 §6)
        { new CapabilityCommand("a"), true, true, true },
        { new NoopCommand("a"), true, true, true },
        { new LogoutCommand("a"), true, true, true },
        { new IdCommand("a", null), true, true, true },
        { new StartTlsCommand("a"), true, false, false },
        { new LoginCommand("a", "u", "p"), true, false, false },
        { new AuthenticateCommand("a", "PLAIN", null), true, false, false },
        { new EnableCommand("a", ["CONDSTORE"]), false, true, false },
        { new SelectCommand("a", "INBOX"), false, true, true },
        { new ListCommand("a", "", ["*"]), false, true, true },
        { new AppendCommand("a", "INBOX", []), false, true, true },
        { new IdleCommand("a"), false, true, true },
        { new FetchCommand("a", false, One, []), false, false, true },
        { new ExpungeCommand("a", true, One), false, false, true },
        { new CloseCommand("a"), false, false, true },
        { new UnselectCommand("a"), false, false, true },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Gates_commands_by_state(ImapCommand command, bool notAuthenticated, bool authenticated, bool selected)
    {
        ImapCommandTable.IsAllowed(command, ImapState.NotAuthenticated).Should().Be(notAuthenticated);
        ImapCommandTable.IsAllowed(command, ImapState.Authenticated).Should().Be(authenticated);
        ImapCommandTable.IsAllowed(command, ImapState.Selected).Should().Be(selected);
        ImapCommandTable.IsAllowed(command, ImapState.Logout).Should().BeFalse();
    }

    [Fact]
    public void Expunge_responses_wait_during_FETCH_STORE_and_SEARCH_by_sequence_number()
    {
        // RFC 9051 §7.5.1.
        ImapCommandTable.AllowsExpungeResponses(new FetchCommand("a", false, One, [])).Should().BeFalse();
        ImapCommandTable.AllowsExpungeResponses(new FetchCommand("a", true, One, [])).Should().BeTrue();
        ImapCommandTable.AllowsExpungeResponses(new StoreCommand("a", false, One, ImapStoreMode.Add, false, [])).Should().BeFalse();
        ImapCommandTable.AllowsExpungeResponses(new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ImapSearchKey.All)).Should().BeFalse();
        ImapCommandTable.AllowsExpungeResponses(new NoopCommand("a")).Should().BeTrue();
    }
}
