using System.Text;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// Mailbox names that name no mailbox, LIST-EXTENDED RECURSIVEMATCH and LSUB on a real socket, raw lines, run on every
/// store through the derived classes: a name that is a valid astring but not valid modified UTF-7 (RFC 3501 §5.1.3) is
/// answered NO, never BAD, and no command of valid syntax counts toward closing the session.
/// </summary>
public abstract class ImapMailboxNameTests : IAsyncLifetime
{
    // The name an outside conformance suite selects: atom characters with an "&" that starts no modified-BASE64 run.
    private const string AtomName = "!#$&'+,-.0123456789:;<=>?@^_`|[}";
    private const string NoSuchName = "NO [NONEXISTENT] No such mailbox: not valid modified UTF-7";
    private const string CannotName = "NO [CANNOT] Invalid mailbox name: not valid modified UTF-7";

    private IMailStore? _store;

    public async Task InitializeAsync() => _store = await CreateStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        DisposeCore();
    }

    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<IMailStore> CreateStoreAsync();

    protected virtual void DisposeCore()
    {
    }

    [Fact]
    public async Task SELECT_and_EXAMINE_of_a_name_that_is_not_modified_UTF7_are_NO_and_leave_no_mailbox_selected()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);

        (await client.CommandAsync("a", "SELECT " + AtomName)).Should().Equal("a " + NoSuchName);
        (await client.CommandAsync("b", "EXAMINE &Jjo")).Should().Equal("b " + NoSuchName);
        (await client.CommandAsync("c", "SELECT INBOX")).Last().Should().StartWith("c OK [READ-WRITE]");

        // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected (RFC 7162 §3.2.11: CLOSED first).
        (await client.CommandAsync("d", "SELECT \"&U,BTFw-&ZeVnLIqe-\"")).Should().Equal("* OK [CLOSED] Previous mailbox closed", "d " + NoSuchName);
        (await client.CommandAsync("e", "FETCH 1 FLAGS")).Should().Equal("e BAD No mailbox selected");
    }

    [Fact]
    public async Task LIST_and_LSUB_with_an_undecodable_pattern_or_reference_find_nothing()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);

        (await client.CommandAsync("a", "LIST \"\" " + AtomName + "%*")).Should().Equal("a OK LIST completed");
        (await client.CommandAsync("b", "LIST &Jjo *")).Should().Equal("b OK LIST completed");
        (await client.CommandAsync("c", "LSUB \"\" &Jjo*")).Should().Equal("c OK LSUB completed");
        (await client.CommandAsync("d", "LIST (SUBSCRIBED) \"\" (&Jjo* INBOX)")).Should().Equal("* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX", "d OK LIST completed");
        (await client.CommandAsync("e", "LIST \"\" \"\"")).Should().Equal("* LIST (\\Noselect) \"/\" \"\"", "e OK LIST completed");
    }

    [Fact]
    public async Task Every_other_command_taking_a_name_answers_NO_NONEXISTENT_or_CANNOT_where_it_would_store_the_name()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        (await client.CommandAsync("s", "CREATE Work")).Last().Should().StartWith("s OK");

        (await client.CommandAsync("a", "STATUS " + AtomName + " (MESSAGES)")).Should().Equal("a " + NoSuchName);
        (await client.CommandAsync("b", "DELETE &Jjo")).Should().Equal("b " + NoSuchName);
        (await client.CommandAsync("c", "UNSUBSCRIBE &Jjo")).Should().Equal("c " + NoSuchName);
        (await client.CommandAsync("d", "GETQUOTAROOT &Jjo")).Should().Equal("d " + NoSuchName);
        (await client.CommandAsync("e", "RENAME &Jjo Elsewhere")).Should().Equal("e " + NoSuchName);
        (await client.CommandAsync("f", "CREATE " + AtomName)).Should().Equal("f " + CannotName);
        (await client.CommandAsync("g", "SUBSCRIBE &Jjo")).Should().Equal("g " + CannotName);
        (await client.CommandAsync("h", "RENAME Work &Jjo")).Should().Equal("h " + CannotName);

        // APPEND: refused before the continuation (nothing is read), and a non-synchronizing literal is dropped.
        (await client.CommandAsync("i", "APPEND &Jjo {5}")).Should().Equal("i " + NoSuchName);
        (await client.CommandAsync("j", "APPEND &Jjo {12+}\r\nSubject: x\r\n")).Should().Equal("j " + NoSuchName);

        await client.CommandAsync("k", "APPEND INBOX {12+}\r\nSubject: x\r\n");
        (await client.CommandAsync("l", "SELECT INBOX")).Last().Should().StartWith("l OK");
        (await client.CommandAsync("m", "COPY 1 &Jjo")).Should().Equal("m " + NoSuchName);
        (await client.CommandAsync("n", "UID MOVE 1 " + AtomName)).Should().Equal("n " + NoSuchName);

        // Nothing was made under any spelling of those names.
        (await client.CommandAsync("o", "LIST \"\" *")).Should().HaveCount(8).And.Contain("* LIST (\\HasNoChildren) \"/\" Work");
        (await client.CommandAsync("p", "STATUS INBOX (MESSAGES)")).Should().Equal("* STATUS INBOX (MESSAGES 1)", "p OK STATUS completed");
    }

    [Fact]
    public async Task Names_no_store_can_hold_name_no_mailbox_and_are_never_TRYCREATE()
    {
        // The same rule for names that decode but break the naming rules: lookups are NONEXISTENT, creation is CANNOT.
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        (await client.CommandAsync("s", "CREATE Work")).Last().Should().StartWith("s OK");

        (await client.CommandAsync("a", "SELECT a//b")).Single().Should().StartWith("a NO [NONEXISTENT] ");
        (await client.CommandAsync("b", "STATUS \"a*\" (MESSAGES)")).Single().Should().StartWith("b NO [NONEXISTENT] ");
        (await client.CommandAsync("c", "APPEND a//b {5}")).Single().Should().StartWith("c NO [NONEXISTENT] ");
        (await client.CommandAsync("d", "RENAME a//b Work2")).Single().Should().StartWith("d NO [NONEXISTENT] ");
        (await client.CommandAsync("e", "CREATE a//b")).Single().Should().StartWith("e NO [CANNOT] ");
        (await client.CommandAsync("f", "RENAME Work a//b")).Single().Should().StartWith("f NO [CANNOT] ");
        (await client.CommandAsync("g", "SUBSCRIBE \"a%\"")).Single().Should().StartWith("g NO [CANNOT] ");

        await client.CommandAsync("h", "APPEND INBOX {12+}\r\nSubject: x\r\n");
        await client.CommandAsync("i", "SELECT INBOX");
        (await client.CommandAsync("j", "COPY 1 a//b")).Single().Should().StartWith("j NO [NONEXISTENT] ");
        (await client.CommandAsync("k", "COPY 1 Nowhere")).Single().Should().StartWith("k NO [TRYCREATE] ");
    }

    [Fact]
    public async Task With_UTF8_enabled_names_are_UTF8_and_invalid_UTF8_is_NO()
    {
        // RFC 6855 §3: no modified UTF-7 after ENABLE UTF8=ACCEPT; "&Jjo" is then a plain name.
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        (await client.CommandAsync("a", "ENABLE UTF8=ACCEPT")).Should().Equal("* ENABLED UTF8=ACCEPT", "a OK ENABLE completed");
        (await client.CommandAsync("b", "CREATE &Jjo")).Single().Should().StartWith("b OK");
        (await client.CommandAsync("c", "STATUS &Jjo (MESSAGES)")).Should().Equal("* STATUS &Jjo (MESSAGES 0)", "c OK STATUS completed");

        await client.SendRawAsync([.. "d SELECT {2+}\r\n"u8, 0xFF, 0xFE, .. "\r\n"u8]);
        (await client.ReadUntilTaggedAsync("d")).Should().Equal("d NO [NONEXISTENT] No such mailbox: not valid UTF-8");
    }

    [Fact]
    public async Task Twenty_five_commands_answered_NO_in_a_row_keep_the_session()
    {
        // Only syntax errors count toward closing a session (MaxBadCommands, 20); every one of these was BAD before.
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        string[] commands = ["SELECT " + AtomName, "LIST \"\" " + AtomName + "%*", "STATUS &Jjo (UIDNEXT)", "CREATE &Jjo", "EXAMINE &Jjo"];
        var batch = new StringBuilder();
        for (var i = 0; i < 25; i++)
        {
            batch.Append('t').Append(i).Append(' ').Append(commands[i % commands.Length]).Append("\r\n");
        }

        await client.SendAsync(batch + "z NOOP\r\n");
        var lines = await client.ReadUntilTaggedAsync("z");
        lines.Should().HaveCount(26).And.NotContain(l => l.Contains("BAD", StringComparison.Ordinal) || l.StartsWith("* BYE", StringComparison.Ordinal));
        lines.Last().Should().Be("z OK NOOP completed");
    }

    [Fact]
    public async Task Valid_commands_in_the_wrong_state_never_count_and_syntax_errors_count_only_in_a_row()
    {
        await using var server = await StartAsync(imap: o => o.MaxBadCommands = 5);
        await using var client = await ImapTestServer.LoginAsync(server);

        // After login, a command of valid syntax answered BAD for the state is not an invalid command.
        var batch = new StringBuilder();
        for (var i = 0; i < 25; i++)
        {
            batch.Append('w').Append(i).Append(i % 2 == 0 ? " FETCH 1 FLAGS\r\n" : " LOGIN alice x\r\n");
        }

        await client.SendAsync(batch.ToString());
        (await client.ReadUntilTaggedAsync("w24")).Should().HaveCount(25).And.OnlyContain(l => l.Contains(" BAD ", StringComparison.Ordinal));

        // Four unknown commands, then a valid one: the row starts again, so four more do not close either.
        await client.SendAsync("u1 FOO\r\nu2 FOO\r\nu3 FOO\r\nu4 FOO\r\nn NOOP\r\nu5 FOO\r\nu6 FOO\r\nu7 FOO\r\nu8 FOO\r\nm NOOP\r\n");
        (await client.ReadUntilTaggedAsync("m")).Should().HaveCount(10).And.Contain("n OK NOOP completed").And.EndWith("m OK NOOP completed");

        // Five in a row close it.
        await client.SendAsync("v1 FOO\r\nv2 FOO\r\nv3 FOO\r\nv4 FOO\r\nv5 FOO\r\nv6 NOOP\r\n");
        var rest = await client.ReadToEndAsync(TimeSpan.FromSeconds(10));
        rest.Should().EndWith("v5 BAD Unknown command\r\n* BYE Too many invalid commands\r\n");
    }

    [Fact]
    public async Task A_refused_STARTTLS_does_not_count_toward_closing_before_login()
    {
        // Before login three invalid commands close the connection; STARTTLS where TLS is not offered is valid syntax.
        await using var server = await StartAsync();
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("a STARTTLS\r\nb STARTTLS\r\nc STARTTLS\r\nd STARTTLS\r\ne NOOP\r\n");
        (await client.ReadUntilTaggedAsync("e")).Should().Equal(
            "a BAD STARTTLS is not available", "b BAD STARTTLS is not available", "c BAD STARTTLS is not available",
            "d BAD STARTTLS is not available", "e OK NOOP completed");
    }

    [Theory]
    [InlineData("LIST (RECURSIVEMATCH) \"\" \"\"")]
    [InlineData("LIST (RECURSIVEMATCH REMOTE) \"\" \"\"")]
    public async Task RECURSIVEMATCH_without_an_option_it_can_modify_is_BAD(string command)
    {
        // RFC 5258 §3.1.
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        (await client.CommandAsync("a", command)).Should().Equal("a BAD Invalid LIST option");
        (await client.CommandAsync("b", "NOOP")).Should().Equal("b OK NOOP completed");
    }

    [Fact]
    public async Task SUBSCRIBED_RECURSIVEMATCH_with_two_patterns_returns_each_listed_mailbox_once_with_its_own_attributes()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        const string List = "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (x/test2 x/test2/test1)";
        await client.CommandAsync("a", "CREATE x/test2/test1");
        await client.CommandAsync("b", "SUBSCRIBE x/test2/test1");

        // The parent is not subscribed and its only subscribed child is listed in its own right.
        (await client.CommandAsync("c", List)).Should().Equal("* LIST (\\HasNoChildren \\Subscribed) \"/\" x/test2/test1", "c OK LIST completed");

        await client.CommandAsync("d", "SUBSCRIBE x/test2");
        (await client.CommandAsync("e", List)).Should().Equal(
            "* LIST (\\HasChildren \\Subscribed) \"/\" x/test2",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/test2/test1",
            "e OK LIST completed");

        // A subscribed child that no pattern lists is what CHILDINFO reports (RFC 5258 §3.5).
        await client.CommandAsync("f", "UNSUBSCRIBE x/test2");
        (await client.CommandAsync("g", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" x/test2")).Should().Equal(
            "* LIST (\\HasChildren) \"/\" x/test2 (\"CHILDINFO\" (\"SUBSCRIBED\"))", "g OK LIST completed");
    }

    [Fact]
    public async Task RFC_5258_example_8_CHILDINFO_and_HasChildren()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("a", "CREATE x/Foo/Bar");
        await client.CommandAsync("b", "CREATE x/Foo/Baz");
        await client.CommandAsync("c", "CREATE x/Moo");
        const string Recursive = "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" x/%";

        // B: nothing subscribed.
        (await client.CommandAsync("d", Recursive)).Should().Equal("d OK LIST completed");

        // A: only Foo/Baz.
        await client.CommandAsync("e", "SUBSCRIBE x/Foo/Baz");
        (await client.CommandAsync("f", "LIST (SUBSCRIBED) \"\" x/*")).Should().Equal("* LIST (\\HasNoChildren \\Subscribed) \"/\" x/Foo/Baz", "f OK LIST completed");
        (await client.CommandAsync("g", "LIST (SUBSCRIBED) \"\" x/%")).Should().Equal("g OK LIST completed");
        (await client.CommandAsync("h", Recursive)).Should().Equal("* LIST (\\HasChildren) \"/\" x/Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))", "h OK LIST completed");

        // A1: Foo subscribed as well.
        await client.CommandAsync("i", "SUBSCRIBE x/Foo");
        (await client.CommandAsync("j", Recursive)).Should().Equal(
            "* LIST (\\HasChildren \\Subscribed) \"/\" x/Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))", "j OK LIST completed");

        // C: Foo and Moo subscribed, no subscribed child.
        await client.CommandAsync("k", "UNSUBSCRIBE x/Foo/Baz");
        await client.CommandAsync("l", "SUBSCRIBE x/Moo");
        (await client.CommandAsync("m", Recursive + " RETURN (CHILDREN)")).Should().Equal(
            "* LIST (\\HasChildren \\Subscribed) \"/\" x/Foo", "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/Moo", "m OK LIST completed");

        // A2: a parent that does not exist.
        await client.CommandAsync("n", "SUBSCRIBE y/Foo/Baz");
        (await client.CommandAsync("o", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" y/%")).Should().Equal(
            "* LIST (\\NonExistent) \"/\" y/Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))", "o OK LIST completed");
    }

    [Fact]
    public async Task RFC_5258_example_9_CHILDINFO_whether_or_not_the_children_match_the_pattern()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        string[] subscribed = ["foo2/bar1", "foo2/bar2", "baz2/bar2", "baz2/bar22", "baz2/bar222", "eps2", "eps2/mamba", "qux2/bar2"];
        var n = 0;
        foreach (var name in subscribed)
        {
            (await client.CommandAsync("c" + n, "CREATE x/" + name)).Last().Should().StartWith("c" + n + " OK");
            (await client.CommandAsync("s" + n, "SUBSCRIBE x/" + name)).Last().Should().StartWith("s" + n + " OK");
            n++;
        }

        // D03: "foo2" stands for "foo2/bar1" and "eps2" for "eps2/mamba"; "baz2" and "qux2" for no one, as all their
        // subscribed children match the pattern themselves.
        (await client.CommandAsync("d03", "LIST (RECURSIVEMATCH SUBSCRIBED) \"\" x/*2")).Should().Equal(
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/baz2/bar2",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/baz2/bar22",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/baz2/bar222",
            "* LIST (\\HasChildren \\Subscribed) \"/\" x/eps2 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasChildren) \"/\" x/foo2 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/foo2/bar2",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" x/qux2/bar2",
            "d03 OK LIST completed");
    }

    [Fact]
    public async Task RFC_5258_example_10_CHILDINFO_does_not_imply_HasChildren()
    {
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("a", "CREATE x/foo");
        await client.CommandAsync("b", "SUBSCRIBE x/foo/bar");
        (await client.CommandAsync("c", "LIST (SUBSCRIBED) \"\" x/foo/*")).Should().Equal("* LIST (\\NonExistent \\Subscribed) \"/\" x/foo/bar", "c OK LIST completed");
        (await client.CommandAsync("d", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" x/foo RETURN (CHILDREN)")).Should().Equal(
            "* LIST (\\HasNoChildren) \"/\" x/foo (\"CHILDINFO\" (\"SUBSCRIBED\"))", "d OK LIST completed");
    }

    [Fact]
    public async Task LSUB_percent_returns_an_unsubscribed_parent_of_a_subscribed_child_as_Noselect()
    {
        // RFC 3501 §6.3.9.
        await using var server = await StartAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("a", "CREATE x/b/c");
        await client.CommandAsync("b", "CREATE x/d");
        await client.CommandAsync("c", "SUBSCRIBE x/b/c");
        await client.CommandAsync("d", "SUBSCRIBE x/d");
        (await client.CommandAsync("e", "LSUB \"\" x/%")).Should().Equal("* LSUB (\\Noselect) \"/\" x/b", "* LSUB () \"/\" x/d", "e OK LSUB completed");
        (await client.CommandAsync("f", "LSUB \"\" %")).Should().Contain("* LSUB (\\Noselect) \"/\" x").And.Contain("* LSUB () \"/\" INBOX");
        (await client.CommandAsync("g", "LSUB x/ *")).Should().Equal("* LSUB () \"/\" x/b/c", "* LSUB () \"/\" x/d", "g OK LSUB completed");

        // Subscribed itself, the parent is listed as it is.
        await client.CommandAsync("h", "SUBSCRIBE x/b");
        (await client.CommandAsync("i", "LSUB \"\" x/%")).Should().Equal("* LSUB () \"/\" x/b", "* LSUB () \"/\" x/d", "i OK LSUB completed");
    }

    private Task<TestMailServer<ImapConnectionHandler>> StartAsync(Action<ImapOptions>? imap = null)
        => ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true, imap: imap, store: _store);
}
