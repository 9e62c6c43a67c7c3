using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using MailHost.Imap;
using MailHost.Protocols.Imap;

namespace MailHost.Tests.Imap;

/// <summary>The session's routing table against the commands the parser produces and the state table.</summary>
public sealed class ImapSessionRoutesTests
{
    /// <summary>Every command record the parser can produce: the concrete <see cref="ImapCommand"/> types.</summary>
    public static TheoryData<Type> CommandTypes
    {
        get
        {
            var data = new TheoryData<Type>();
            foreach (var type in AllCommandTypes())
            {
                data.Add(type);
            }

            return data;
        }
    }

    /// <summary>One command line for each command name the parser knows (APPEND is below: its message is a literal).</summary>
    public static TheoryData<string, Type> CommandLines => new()
    {
        { "CAPABILITY", typeof(CapabilityCommand) },
        { "NOOP", typeof(NoopCommand) },
        { "LOGOUT", typeof(LogoutCommand) },
        { "ID NIL", typeof(IdCommand) },
        { "STARTTLS", typeof(StartTlsCommand) },
        { "AUTHENTICATE PLAIN", typeof(AuthenticateCommand) },
        { "LOGIN alice secret", typeof(LoginCommand) },
        { "ENABLE CONDSTORE", typeof(EnableCommand) },
        { "SELECT INBOX", typeof(SelectCommand) },
        { "EXAMINE INBOX", typeof(ExamineCommand) },
        { "CREATE Drafts", typeof(CreateCommand) },
        { "DELETE Drafts", typeof(DeleteCommand) },
        { "RENAME Drafts Old", typeof(RenameCommand) },
        { "SUBSCRIBE Drafts", typeof(SubscribeCommand) },
        { "UNSUBSCRIBE Drafts", typeof(UnsubscribeCommand) },
        { "LIST \"\" *", typeof(ListCommand) },
        { "LSUB \"\" *", typeof(LsubCommand) },
        { "NAMESPACE", typeof(NamespaceCommand) },
        { "STATUS INBOX (MESSAGES)", typeof(StatusCommand) },
        { "IDLE", typeof(IdleCommand) },
        { "GETQUOTA \"\"", typeof(GetQuotaCommand) },
        { "GETQUOTAROOT INBOX", typeof(GetQuotaRootCommand) },
        { "SETQUOTA \"\" (STORAGE 512)", typeof(SetQuotaCommand) },
        { "COMPRESS DEFLATE", typeof(CompressCommand) },
        { "CHECK", typeof(CheckCommand) },
        { "CLOSE", typeof(CloseCommand) },
        { "UNSELECT", typeof(UnselectCommand) },
        { "EXPUNGE", typeof(ExpungeCommand) },
        { "UID EXPUNGE 1:3", typeof(ExpungeCommand) },
        { "SEARCH UNSEEN", typeof(SearchCommand) },
        { "UID SEARCH UNSEEN", typeof(SearchCommand) },
        { "FETCH 1 FLAGS", typeof(FetchCommand) },
        { "UID FETCH 1 FLAGS", typeof(FetchCommand) },
        { "STORE 1 +FLAGS (\\Seen)", typeof(StoreCommand) },
        { "UID STORE 1 +FLAGS (\\Seen)", typeof(StoreCommand) },
        { "COPY 1 Drafts", typeof(CopyCommand) },
        { "UID COPY 1 Drafts", typeof(CopyCommand) },
        { "MOVE 1 Drafts", typeof(MoveCommand) },
        { "UID MOVE 1 Drafts", typeof(MoveCommand) },
        { "SORT (DATE) UTF-8 ALL", typeof(SortCommand) },
        { "UID SORT (DATE) UTF-8 ALL", typeof(SortCommand) },
        { "THREAD REFERENCES UTF-8 ALL", typeof(ThreadCommand) },
        { "UID THREAD REFERENCES UTF-8 ALL", typeof(ThreadCommand) },
    };

    [Theory]
    [MemberData(nameof(CommandTypes))]
    public void Every_command_has_one_route_and_a_state_that_allows_it(Type type)
    {
        var command = (ImapCommand)RuntimeHelpers.GetUninitializedObject(type);

        ImapSession.Routes.Should().ContainKey(type);
        ImapCommandTable.IsKnown(command).Should().BeTrue();
        new[] { ImapState.NotAuthenticated, ImapState.Authenticated, ImapState.Selected }
            .Should().Contain(state => ImapCommandTable.IsAllowed(command, state));
    }

    [Fact]
    public void The_routes_name_only_commands()
    {
        // A dictionary holds one route per type; each of its types is a command the parser can produce.
        var commandTypes = AllCommandTypes().ToHashSet();
        ImapSession.Routes.Keys.Should().OnlyContain(type => commandTypes.Contains(type));
        ImapSession.Routes.Should().HaveCount(commandTypes.Count);
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void Every_command_the_parser_produces_is_routed(string line, Type expected)
    {
        var command = Parse("a " + line + "\r\n");

        command.Should().BeOfType(expected);
        ImapSession.Routes.Should().ContainKey(command.GetType());
        ImapCommandTable.IsKnown(command).Should().BeTrue();
    }

    [Fact]
    public void APPEND_is_routed_once_its_message_has_been_read()
    {
        var parser = new ImapCommandParser(new ImapParserOptions()) { IsAuthenticated = true };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("a APPEND INBOX {1+}\r\nX\r\n"u8.ToArray()));
        parser.TryParse(ref reader, out _, out _).Should().Be(ImapParseStatus.AppendLiteral);
        reader.Advance(1);
        parser.CompleteAppendLiteral();

        parser.TryParse(ref reader, out var command, out _).Should().Be(ImapParseStatus.Complete);
        command.Should().BeOfType<AppendCommand>();
        ImapSession.Routes.Should().ContainKey(typeof(AppendCommand));
    }

    [Fact]
    public void A_command_the_server_does_not_implement_is_neither_routed_nor_known()
    {
        var parser = new ImapCommandParser(new ImapParserOptions());
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("a XLIST \"\" *\r\n"u8.ToArray()));

        parser.TryParse(ref reader, out var command, out var error).Should().Be(ImapParseStatus.Error);
        command.Should().BeNull();
        error!.Status.Should().Be(ImapResponseStatus.Bad);
    }

    private static IEnumerable<Type> AllCommandTypes()
        => typeof(ImapCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ImapCommand)) && !t.IsAbstract).OrderBy(t => t.Name);

    private static ImapCommand Parse(string line)
    {
        var parser = new ImapCommandParser(new ImapParserOptions()) { IsAuthenticated = true };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line)));
        var status = parser.TryParse(ref reader, out var command, out var error);
        status.Should().Be(ImapParseStatus.Complete, error?.Text);
        return command!;
    }
}
