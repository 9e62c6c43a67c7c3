using System.Buffers;
using System.Text;
using MailHost.Fuzz.Sessions;
using MailHost.Protocols.Imap;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// IMAP SEARCH criteria (RFC 9051 §6.4.4), through the command grammar and then matched against the three messages of
/// an in-memory mailbox by a real session, as SEARCH, SEARCH NOT, SORT (RFC 5256) and THREAD. The input is the
/// criteria text after <c>SEARCH </c>.
/// </summary>
/// <remarks>
/// Invariants: besides the session's own (<see cref="ImapSessionTarget"/>), SEARCH returns existing message numbers,
/// ascending and once each; SEARCH X and SEARCH NOT (X) split the mailbox exactly; SORT and THREAD with the same
/// criteria return the same messages as SEARCH.
/// </remarks>
internal static class ImapSearchTarget
{
    private static readonly int Messages = SessionEnvironment.Messages.Length;

    public static void Run(byte[] data)
    {
        // Only criteria the grammar accepts as one whole SEARCH command go on to the session.
        var command = Encoding.ASCII.GetBytes("s SEARCH ").Concat(data).Concat("\r\n"u8.ToArray()).ToArray();
        var parser = new ImapCommandParser { IsAuthenticated = true };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(command));
        while (true)
        {
            var status = parser.TryParse(ref reader, out var parsed, out _);
            if (status == ImapParseStatus.ContinuationNeeded)
            {
                continue;
            }

            if (status != ImapParseStatus.Complete || parsed is not SearchCommand search || reader.Remaining > 0)
            {
                return;
            }

            if (search.Charset is not null || search.HasReturn)
            {
                return;
            }

            break;
        }

        var session = new List<byte>();
        session.AddRange("a LOGIN alice alice-pw\r\nb SELECT INBOX\r\n"u8.ToArray());
        foreach (var (tag, prefix, suffix) in new[] { ("s1", "SEARCH ", string.Empty), ("s2", "SEARCH NOT (", ")"), ("s3", "SORT (ARRIVAL) UTF-8 ", string.Empty), ("s4", "THREAD REFERENCES UTF-8 ", string.Empty) })
        {
            session.AddRange(Encoding.ASCII.GetBytes($"{tag} {prefix}"));
            session.AddRange(data);
            session.AddRange(Encoding.ASCII.GetBytes($"{suffix}\r\n"));
        }

        session.AddRange("z LOGOUT\r\n"u8.ToArray());
        var results = Results(ImapSessionTarget.Session([.. session]));
        if (results.TryGetValue("s1", out var matched))
        {
            FuzzInvariantException.Check(matched.All(n => n >= 1 && n <= Messages), $"SEARCH returned a number outside 1..{Messages}: {string.Join(' ', matched)}");
            FuzzInvariantException.Check(matched.SequenceEqual(matched.Distinct().Order()), $"SEARCH results not ascending and unique: {string.Join(' ', matched)}");
            if (results.TryGetValue("s2", out var complement))
            {
                FuzzInvariantException.Check(
                    matched.Concat(complement).Order().SequenceEqual(Enumerable.Range(1, Messages)),
                    $"SEARCH X ({string.Join(' ', matched)}) and SEARCH NOT (X) ({string.Join(' ', complement)}) do not split the mailbox");
            }

            foreach (var other in (string[])["s3", "s4"])
            {
                if (results.TryGetValue(other, out var same))
                {
                    FuzzInvariantException.Check(same.Order().SequenceEqual(matched), $"{(other == "s3" ? "SORT" : "THREAD")} returned {string.Join(' ', same)}, SEARCH {string.Join(' ', matched)}");
                }
            }
        }
    }

    /// <summary>The message numbers each command answered with OK returned (SEARCH, SORT or THREAD data before its tagged OK).</summary>
    private static Dictionary<string, List<int>> Results(List<string> lines)
    {
        var results = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var numbers = new List<int>();
        foreach (var line in lines)
        {
            if (line.StartsWith("* SEARCH", StringComparison.Ordinal) || line.StartsWith("* SORT", StringComparison.Ordinal))
            {
                // "* SEARCH 1 3 (MODSEQ 7)": the numbers before any parenthesis.
                var text = line.Split('(')[0];
                numbers.AddRange(text.Split(' ').Skip(2).Where(w => w.Length > 0).Select(int.Parse));
            }
            else if (line.StartsWith("* THREAD", StringComparison.Ordinal))
            {
                numbers.AddRange(line[8..].Split([' ', '(', ')'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
            else if (!line.StartsWith('*') && line.Split(' ') is [var tag, "OK", ..])
            {
                results[tag] = numbers;
                numbers = [];
            }
            else if (!line.StartsWith('*'))
            {
                numbers = [];
            }
        }

        return results;
    }
}
