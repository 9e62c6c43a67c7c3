using System.Net;
using MailHost.Dns;

namespace MailHost.Filtering.DnsLists;

/// <summary>One list's answer about one address.</summary>
/// <param name="List">The list asked.</param>
/// <param name="QueryName">The name asked.</param>
/// <param name="Kind">What the answer means.</param>
/// <param name="Matches">For <see cref="DnsListAnswerKind.Listed"/>, the answers that count and their labels.</param>
/// <param name="Problem">For <see cref="DnsListAnswerKind.Error"/> and <see cref="DnsListAnswerKind.Unknown"/>, what went wrong.</param>
internal sealed record DnsListAnswer(
    ConfiguredDnsList List,
    string QueryName,
    DnsListAnswerKind Kind,
    IReadOnlyList<KeyValuePair<IPAddress, string>> Matches,
    string? Problem = null)
{
    /// <summary>Whether some answer was outside 127.0.0.0/8 (as opposed to a refusal code).</summary>
    public bool OutsideLoopback { get; init; }

    /// <summary>No answer from the list.</summary>
    public static DnsListAnswer Unknown(ConfiguredDnsList list, string queryName, string problem)
        => new(list, queryName, DnsListAnswerKind.Unknown, [], problem);

    /// <summary>Reads an A lookup: which answers are listings, which are errors (RFC 5782 §2.1, §5).</summary>
    public static DnsListAnswer From(ConfiguredDnsList list, string queryName, DnsLookup<IPAddress> lookup)
    {
        switch (lookup.Status)
        {
            case DnsLookupStatus.NoRecords or DnsLookupStatus.NonExistentDomain:
                return new(list, queryName, DnsListAnswerKind.NotListed, []);
            case DnsLookupStatus.TemporaryFailure:
                return Unknown(list, queryName, "temporary DNS failure");
        }

        List<KeyValuePair<IPAddress, string>> matches = [];
        List<IPAddress> errors = [];
        var outsideLoopback = false;
        foreach (var answer in lookup.Records)
        {
            switch (Classify(answer))
            {
                case AnswerClass.OutsideLoopback:
                    outsideLoopback = true;
                    errors.Add(answer);
                    break;
                case AnswerClass.Refusal:
                    errors.Add(answer);
                    break;
                case AnswerClass.Code when list.Codes.Count == 0:
                    matches.Add(new(answer, ""));
                    break;
                case AnswerClass.Code when list.Codes.TryGetValue(answer, out var label):
                    matches.Add(new(answer, label));
                    break;
                default:
                    // A code this configuration does not count (another sublist of a combined list such as zen).
                    break;
            }
        }

        if (matches.Count > 0)
        {
            return new(list, queryName, DnsListAnswerKind.Listed, matches);
        }

        return errors.Count > 0
            ? new(list, queryName, DnsListAnswerKind.Error, [], string.Join(", ", errors)) { OutsideLoopback = outsideLoopback }
            : new(list, queryName, DnsListAnswerKind.NotListed, []);
    }

    /// <summary>Whether <paramref name="code"/> is an answer lists give to refuse a query rather than to list an address.</summary>
    /// <remarks>
    /// RFC 5782 §5 keeps 127.0.0.1 out of every list (it is the "never listed" test entry), so an answer of 127.0.0.1
    /// is no listing code; lists that refuse a query answer it (URIBL) or an address in 127.255.255.0/24 (Spamhaus:
    /// .252 a typing error in the zone name, .254 a query through a public resolver, .255 too many queries).
    /// </remarks>
    public static bool IsRefusalCode(IPAddress code)
    {
        Span<byte> b = stackalloc byte[4];
        return code.TryWriteBytes(b, out var length) && length == 4 && b[0] == 127
            && ((b[1] == 0 && b[2] == 0 && b[3] == 1) || (b[1] == 255 && b[2] == 255));
    }

    private static AnswerClass Classify(IPAddress answer)
    {
        Span<byte> b = stackalloc byte[16];
        if (!answer.TryWriteBytes(b, out var length) || length != 4 || b[0] != 127)
        {
            // RFC 5782 §2.1: a DNSxL's A records are in 127.0.0.0/8, so they can never be mistaken for a host's
            // address; anything else is a misconfigured list or a wildcard answer of a zone that is no DNSxL.
            return AnswerClass.OutsideLoopback;
        }

        return IsRefusalCode(answer) ? AnswerClass.Refusal : AnswerClass.Code;
    }

    private enum AnswerClass
    {
        Code,
        Refusal,
        OutsideLoopback,
    }
}
