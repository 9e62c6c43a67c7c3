using System.Text;
using System.Text.RegularExpressions;

namespace MailHost.Tests.Imap;

/// <summary>
/// The IMAP transcripts of the integration tests (test/MailHost.IntegrationTests/Transcripts/Imap), run against a
/// session on in-memory pipes: same files, no socket.
/// </summary>
public sealed class ImapInMemoryTranscriptTests
{
    private static readonly Regex LinePattern = new(@"^(?<kind>[CS])(?<session>[2-9]?): (?<text>.*)$", RegexOptions.Compiled);

    public static TheoryData<string> Files
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var path in Directory.EnumerateFiles(Folder(), "*.txt").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(path));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Transcript_runs_in_memory(string name)
    {
        // Session 1 is the connection made here; "C2:"/"S2:" lines and on open further sessions on the same store.
        var first = new InMemoryImapConnection();
        var sessions = new Dictionary<int, InMemoryImapConnection> { [1] = first };
        try
        {
            for (var i = 1; i <= 2; i++)
            {
                await first.DeliverAsync(
                    $"From: bob@example.com\nTo: alice@example.com\nSubject: Message {i}\nMessage-ID: <m{i}@example.com>\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n\nHello\n");
            }

            var number = 0;
            foreach (var line in await File.ReadAllLinesAsync(Path.Combine(Folder(), name)))
            {
                number++;
                var where = $"{name}:{number}";
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var match = LinePattern.Match(line);
                match.Success.Should().BeTrue(where);
                var id = match.Groups["session"].Length == 0 ? 1 : match.Groups["session"].Value[0] - '0';
                if (!sessions.TryGetValue(id, out var connection))
                {
                    connection = new InMemoryImapConnection(first.Store);
                    sessions[id] = connection;
                }

                var text = match.Groups["text"].Value;
                if (match.Groups["kind"].Value == "C")
                {
                    await connection.SendAsync(text + "\r\n");
                }
                else if (text == "<closed>")
                {
                    (await connection.ReadLineAsync()).Should().BeNull(where);
                }
                else
                {
                    (await connection.ReadLineAsync()).Should().MatchRegex(ToRegex(text), where);
                }
            }
        }
        finally
        {
            foreach (var connection in sessions.Values)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        await using var connection = new InMemoryImapConnection();
        (await connection.ReadLineAsync()).Should().StartWith("* OK");
        await connection.SendAsync("a NOOP\r\nb LOGIN alice alice-pw\r\nc SELECT INBOX\r\nd LOGOUT\r\n");
        var lines = new List<string>();
        while (await connection.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        lines.Where(l => !l.StartsWith('*')).Select(l => l.Split(' ')[0] + " " + l.Split(' ')[1]).Should().Equal("a OK", "b OK", "c OK", "d OK");
        lines.Should().Contain("* 0 EXISTS");
    }

    private static string Folder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MailHost.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("MailHost.sln not found above the test folder"), "test", "MailHost.IntegrationTests", "Transcripts", "Imap");
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        foreach (var part in pattern.Split('*'))
        {
            regex.Append(Regex.Escape(part)).Append(".*");
        }

        regex.Length -= 2;
        return regex.Append('$').ToString();
    }
}
