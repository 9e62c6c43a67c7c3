using System.Text;
using System.Text.RegularExpressions;

namespace MailHost.Tests.Imap;

/// <summary>
/// The IMAP transcripts of the integration tests (test/MailHost.IntegrationTests/Transcripts/Imap), run against a
/// session on in-memory pipes: same files, no socket.
/// </summary>
public sealed class ImapInMemoryTranscriptTests
{
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
        await using var connection = new InMemoryImapConnection();
        for (int i = 1; i <= 2; i++)
        {
            await connection.DeliverAsync(
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

            if (line.StartsWith("C: ", StringComparison.Ordinal))
            {
                await connection.SendAsync(line[3..] + "\r\n");
            }
            else if (line == "S: <closed>")
            {
                (await connection.ReadLineAsync()).Should().BeNull(where);
            }
            else
            {
                (await connection.ReadLineAsync()).Should().MatchRegex(ToRegex(line[3..]), where);
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
