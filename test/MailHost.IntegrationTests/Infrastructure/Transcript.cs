using System.Text;
using System.Text.RegularExpressions;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// A protocol transcript in plain text, run against a server over a real socket:
/// <c>C: text</c> sends a line (CRLF added); <c>S: pattern</c> expects the next line, where <c>*</c> matches any run of
/// characters; <c>S: &lt;closed&gt;</c> expects the server to close; lines starting with <c>#</c> and blank lines are skipped.
/// </summary>
public static class Transcript
{
    public static IEnumerable<object[]> Files(string folder)
        => Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Transcripts", folder), "*.txt")
            .Order(StringComparer.Ordinal)
            .Select(path => new object[] { Path.GetFileName(path) });

    public static async Task RunAsync(LineClient client, string folder, string name)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Transcripts", folder, name));
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            if (raw.Length == 0 || raw.StartsWith('#'))
            {
                continue;
            }

            var where = $"{name}:{number}";
            if (raw.StartsWith("C: ", StringComparison.Ordinal))
            {
                await client.SendAsync(raw[3..] + "\r\n");
            }
            else if (raw == "S: <closed>")
            {
                (await client.ReadToEndAsync(TimeSpan.FromSeconds(10))).Should().BeEmpty(where);
            }
            else if (raw.StartsWith("S: ", StringComparison.Ordinal))
            {
                var actual = await client.ReadLineAsync();
                actual.Should().NotBeNull(where);
                actual.Should().MatchRegex(ToRegex(raw[3..]), where);
            }
            else
            {
                throw new InvalidOperationException($"{where}: lines must start with 'C: ', 'S: ' or '#'");
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
