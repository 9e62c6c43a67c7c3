using System.Globalization;
using System.Text;

namespace MailHost.Protocols.Imap;

/// <summary>
/// A sequence set of message numbers or UIDs (RFC 9051 §9 <c>sequence-set</c>), or the saved search result
/// <c>$</c> (RFC 5182) when <see cref="IsSavedResult"/> is true (then <see cref="Ranges"/> is empty).
/// </summary>
public sealed record ImapSequenceSet(IReadOnlyList<ImapSequenceRange> Ranges, bool IsSavedResult = false)
{
    /// <summary>The set <c>$</c>.</summary>
    public static ImapSequenceSet SavedResult { get; } = new([], true);

    /// <summary>True when <paramref name="value"/> is in the set, <c>*</c> meaning <paramref name="largest"/>.</summary>
    /// <exception cref="InvalidOperationException">The set is <c>$</c>: the session resolves it from its saved result.</exception>
    public bool Contains(uint value, uint largest)
    {
        if (IsSavedResult)
        {
            throw new InvalidOperationException("The saved search result ($) must be resolved by the session.");
        }

        foreach (var range in Ranges)
        {
            var (low, high) = range.Resolve(largest);
            if (value >= low && value <= high)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when some element uses <c>*</c>.</summary>
    public bool UsesStar => Ranges.Any(r => r.Start == ImapSequenceRange.Star || r.End == ImapSequenceRange.Star);

    /// <summary>The wire form (<c>1:3,7,9:*</c> or <c>$</c>).</summary>
    public override string ToString()
    {
        if (IsSavedResult)
        {
            return "$";
        }

        var text = new StringBuilder();
        foreach (var range in Ranges)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            Append(text, range.Start);
            if (range.End != range.Start)
            {
                text.Append(':');
                Append(text, range.End);
            }
        }

        return text.ToString();

        static void Append(StringBuilder text, uint n)
        {
            if (n == ImapSequenceRange.Star)
            {
                text.Append('*');
            }
            else
            {
                text.Append(n.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
