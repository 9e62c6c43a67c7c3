namespace MailHost.Storage;

/// <summary>Flag arithmetic shared by stores, so STORE behaves the same everywhere.</summary>
public static class FlagChange
{
    /// <summary>Applies a STORE operation; keywords compare case-insensitively and come back sorted, without duplicates.</summary>
    public static (MessageFlags Flags, IReadOnlyList<string> Keywords) Apply(
        FlagOperation operation,
        MessageFlags currentFlags,
        IReadOnlyList<string> currentKeywords,
        MessageFlags flags,
        IReadOnlyList<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(currentKeywords);
        ArgumentNullException.ThrowIfNull(keywords);
        var set = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        switch (operation)
        {
            case FlagOperation.Replace:
                set.UnionWith(keywords);
                return (flags, [.. set]);
            case FlagOperation.Add:
                set.UnionWith(currentKeywords);
                set.UnionWith(keywords);
                return (currentFlags | flags, [.. set]);
            default:
                set.UnionWith(currentKeywords);
                set.ExceptWith(keywords);
                return (currentFlags & ~flags, [.. set]);
        }
    }

    /// <summary>Whether two keyword lists hold the same keywords (case-insensitive).</summary>
    public static bool SameKeywords(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            return false;
        }

        var set = new HashSet<string>(a, StringComparer.OrdinalIgnoreCase);
        return b.All(set.Contains);
    }

    /// <summary>
    /// Checks keyword syntax and maps each keyword to the mailbox's existing spelling; returns the keywords that are
    /// new to the mailbox in <paramref name="created"/>. Fails with <see cref="StoreErrorCode.InvalidArgument"/> for
    /// a bad keyword and <see cref="StoreErrorCode.LimitExceeded"/> when the mailbox would hold too many.
    /// </summary>
    public static StoreResult<IReadOnlyList<string>> ResolveKeywords(
        IReadOnlyList<string>? keywords,
        IReadOnlyCollection<string> mailboxKeywords,
        int maxKeywordsPerMailbox,
        out IReadOnlyList<string> created)
    {
        ArgumentNullException.ThrowIfNull(mailboxKeywords);
        created = [];
        if (keywords is null || keywords.Count == 0)
        {
            return StoreResult<IReadOnlyList<string>>.Success([]);
        }

        var existing = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var k in mailboxKeywords)
        {
            existing.TryAdd(k, k);
        }

        var resolved = new List<string>(keywords.Count);
        var fresh = new List<string>();
        foreach (var keyword in keywords)
        {
            if (!MessageKeyword.IsValid(keyword))
            {
                return StoreResult<IReadOnlyList<string>>.Fail(StoreErrorCode.InvalidArgument, "A keyword is not a valid IMAP atom.");
            }

            if (existing.TryGetValue(keyword, out var spelling))
            {
                resolved.Add(spelling);
            }
            else
            {
                existing.Add(keyword, keyword);
                fresh.Add(keyword);
                resolved.Add(keyword);
            }
        }

        if (fresh.Count > 0 && existing.Count > maxKeywordsPerMailbox)
        {
            return StoreResult<IReadOnlyList<string>>.Fail(StoreErrorCode.LimitExceeded, "The mailbox has too many keywords.");
        }

        created = fresh;
        return StoreResult<IReadOnlyList<string>>.Success(resolved);
    }
}
