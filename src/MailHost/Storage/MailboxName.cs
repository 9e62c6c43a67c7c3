using System.Text;

namespace MailHost.Storage;

/// <summary>
/// The mailbox naming rules shared by every store. Names are validated as names and never used as paths
/// (SECURITY.md E2, rule 7): hierarchy levels are separated by <c>/</c>; no level is empty, <c>.</c> or
/// <c>..</c>; no control character, wildcard or unpaired surrogate appears; length and depth are capped.
/// </summary>
/// <remarks>
/// Names are normalised to NFC (RFC 9051 §5.1: UTF-8 names SHOULD be NFC), and a first level equal to
/// <c>INBOX</c> in any case is spelled <c>INBOX</c> (RFC 9051 §5.1: INBOX is case-insensitive), so
/// <c>inbox/Work</c> and <c>INBOX/Work</c> are the same mailbox. Every other level is case-sensitive.
/// The IMAP session removes one trailing delimiter from CREATE (RFC 9051 §6.3.4) before calling the store.
/// </remarks>
public static class MailboxName
{
    /// <summary>The hierarchy delimiter.</summary>
    public const char Delimiter = '/';

    /// <summary>The name of the inbox.</summary>
    public const string Inbox = "INBOX";

    /// <summary>
    /// Validates <paramref name="name"/> and returns its canonical spelling, or an
    /// <see cref="StoreErrorCode.InvalidName"/> error that says which rule it broke.
    /// </summary>
    public static StoreResult<string> Normalize(string? name, MailStoreLimits? limits = null)
    {
        limits ??= MailStoreLimits.Default;
        if (string.IsNullOrEmpty(name))
        {
            return Invalid("The mailbox name is empty.");
        }

        if (name.Length > limits.MaxMailboxNameLength)
        {
            return Invalid("The mailbox name is too long.");
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c))
            {
                return Invalid("The mailbox name contains a control character.");
            }

            if (c is '*' or '%')
            {
                // RFC 9051 §5.1: wildcards in names make LIST ambiguous; refuse them.
                return Invalid("The mailbox name contains a LIST wildcard.");
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1]))
                {
                    return Invalid("The mailbox name is not valid Unicode.");
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return Invalid("The mailbox name is not valid Unicode.");
            }
        }

        var normalized = name.IsNormalized(NormalizationForm.FormC) ? name : name.Normalize(NormalizationForm.FormC);
        if (normalized.Length > limits.MaxMailboxNameLength)
        {
            return Invalid("The mailbox name is too long.");
        }

        var levels = normalized.Split(Delimiter);
        if (levels.Length > limits.MaxMailboxDepth)
        {
            return Invalid("The mailbox name has too many hierarchy levels.");
        }

        foreach (var level in levels)
        {
            if (level.Length == 0)
            {
                return Invalid("The mailbox name has an empty hierarchy level.");
            }

            if (level is "." or "..")
            {
                return Invalid("The mailbox name has a '.' or '..' level.");
            }

            if (level.Length > limits.MaxMailboxLevelLength)
            {
                return Invalid("A hierarchy level of the mailbox name is too long.");
            }
        }

        if (string.Equals(levels[0], Inbox, StringComparison.OrdinalIgnoreCase) && !string.Equals(levels[0], Inbox, StringComparison.Ordinal))
        {
            normalized = Inbox + normalized[Inbox.Length..];
        }

        return normalized;
    }

    /// <summary>Whether a canonical name is INBOX itself.</summary>
    public static bool IsInbox(string canonicalName) => string.Equals(canonicalName, Inbox, StringComparison.Ordinal);

    /// <summary>Whether canonical <paramref name="name"/> lies strictly below canonical <paramref name="ancestor"/>.</summary>
    public static bool IsDescendantOf(string name, string ancestor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ancestor);
        return name.Length > ancestor.Length + 1 && name[ancestor.Length] == Delimiter && name.StartsWith(ancestor, StringComparison.Ordinal);
    }

    /// <summary>The canonical names of every superior level of <paramref name="name"/>, outermost first (<c>a/b/c</c> gives <c>a</c>, <c>a/b</c>).</summary>
    public static IEnumerable<string> Ancestors(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var i = name.IndexOf(Delimiter, StringComparison.Ordinal); i >= 0; i = name.IndexOf(Delimiter, i + 1))
        {
            yield return name[..i];
        }
    }

    private static StoreResult<string> Invalid(string message) => StoreResult<string>.Fail(StoreErrorCode.InvalidName, message);
}
