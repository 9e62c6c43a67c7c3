using System.Text;
using System.Text.RegularExpressions;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// A protocol transcript in plain text, run against a server over real sockets:
/// <c>C: text</c> sends a line (CRLF added); <c>S: pattern</c> expects the next line, where <c>*</c> matches any run of
/// characters; <c>S: &lt;closed&gt;</c> expects the server to close; lines starting with <c>#</c> and blank lines are skipped.
/// <c>C2:</c>/<c>S2:</c> (up to 9) speak for further sessions, each connected when its first line comes, so a
/// transcript can show what one session's command makes the server tell another.
/// </summary>
public static class Transcript
{
    private static readonly Regex LinePattern = new(@"^(?<kind>[CS])(?<session>[2-9]?): (?<text>.*)$", RegexOptions.Compiled);

    public static IEnumerable<object[]> Files(string folder)
        => Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Transcripts", folder), "*.txt")
            .Order(StringComparer.Ordinal)
            .Select(path => new object[] { Path.GetFileName(path) });

    /// <summary>Runs a transcript: session 1 is <paramref name="client"/>; <paramref name="connect"/> opens the others.</summary>
    public static async Task RunAsync(LineClient client, string folder, string name, Func<Task<LineClient>>? connect = null)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Transcripts", folder, name));
        var sessions = new Dictionary<int, LineClient> { [1] = client };
        try
        {
            var number = 0;
            foreach (var raw in lines)
            {
                number++;
                if (raw.Length == 0 || raw.StartsWith('#'))
                {
                    continue;
                }

                var where = $"{name}:{number}";
                var match = LinePattern.Match(raw);
                if (!match.Success)
                {
                    throw new InvalidOperationException($"{where}: lines must start with 'C: ', 'S: ', 'Cn: ', 'Sn: ' or '#'");
                }

                var id = match.Groups["session"].Length == 0 ? 1 : match.Groups["session"].Value[0] - '0';
                if (!sessions.TryGetValue(id, out var session))
                {
                    session = await (connect ?? throw new InvalidOperationException($"{where}: this run has one session only"))();
                    sessions[id] = session;
                }

                var text = match.Groups["text"].Value;
                if (match.Groups["kind"].Value == "C")
                {
                    await session.SendAsync(text + "\r\n");
                }
                else if (text == "<closed>")
                {
                    (await session.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty(where);
                }
                else
                {
                    var actual = await session.ReadLineAsync();
                    actual.Should().NotBeNull(where);
                    actual.Should().MatchRegex(ToRegex(text), where);
                }
            }
        }
        finally
        {
            foreach (var (id, session) in sessions)
            {
                if (id != 1)
                {
                    await session.DisposeAsync();
                }
            }
        }
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
