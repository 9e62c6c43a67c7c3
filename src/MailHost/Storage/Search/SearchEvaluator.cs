namespace MailHost.Storage.Search;

/// <summary>
/// Evaluates a <see cref="SearchCriteria"/> tree against one message. Stores share it so both give the same
/// answers; text criteria (<see cref="HeaderCriterion"/>, <see cref="AddressCriterion"/>, <see cref="TextCriterion"/>) are delegated to the store,
/// which answers them from its own index.
/// </summary>
public static class SearchEvaluator
{
    /// <summary>
    /// Checks the tree's nesting depth without recursion, so a hostile 10⁵-deep tree cannot exhaust the stack
    /// (SECURITY.md C4). Call it before <see cref="Matches"/>.
    /// </summary>
    public static StoreResult Validate(SearchCriteria criteria, MailStoreLimits limits)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(limits);
        var stack = new Stack<(SearchCriteria Node, int Depth)>();
        stack.Push((criteria, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > limits.MaxSearchDepth)
            {
                return StoreResult.Fail(StoreErrorCode.LimitExceeded, "The search is nested too deeply.");
            }

            switch (node)
            {
                case NotCriterion not:
                    stack.Push((not.Criterion, depth + 1));
                    break;
                case AndCriterion and:
                    foreach (var child in and.Criteria)
                    {
                        stack.Push((child ?? throw new ArgumentException("A search list contains null.", nameof(criteria)), depth + 1));
                    }

                    break;
                case OrCriterion or:
                    stack.Push((or.Left, depth + 1));
                    stack.Push((or.Right, depth + 1));
                    break;
                case null:
                    throw new ArgumentException("A search criterion is null.", nameof(criteria));
                default:
                    break;
            }
        }

        return StoreResult.Success;
    }

    /// <summary>Every <see cref="HeaderCriterion"/>, <see cref="AddressCriterion"/> and <see cref="TextCriterion"/> in the tree (no recursion).</summary>
    public static IReadOnlyList<SearchCriteria> CollectTextCriteria(SearchCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var result = new List<SearchCriteria>();
        var stack = new Stack<SearchCriteria>();
        stack.Push(criteria);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            switch (node)
            {
                case HeaderCriterion or AddressCriterion or TextCriterion:
                    result.Add(node);
                    break;
                case NotCriterion not:
                    stack.Push(not.Criterion);
                    break;
                case AndCriterion and:
                    foreach (var child in and.Criteria)
                    {
                        stack.Push(child);
                    }

                    break;
                case OrCriterion or:
                    stack.Push(or.Left);
                    stack.Push(or.Right);
                    break;
                default:
                    break;
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="message"/> matches. The tree must have passed <see cref="Validate"/>.</summary>
    /// <param name="criteria">The tree.</param>
    /// <param name="message">The message's facts.</param>
    /// <param name="textMatcher">Answers a <see cref="HeaderCriterion"/>, <see cref="AddressCriterion"/> or <see cref="TextCriterion"/> for the message.</param>
    /// <param name="now">The store's clock, for OLDER/YOUNGER.</param>
    public static bool Matches(SearchCriteria criteria, SearchMessage message, Func<SearchCriteria, SearchMessage, bool> textMatcher, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(textMatcher);
        return criteria switch
        {
            AllCriterion => true,
            FlagCriterion flag => ((message.Flags & flag.Flag) == flag.Flag) == flag.IsSet,
            KeywordCriterion keyword => HasKeyword(message.Keywords, keyword.Keyword) == keyword.IsSet,
            UidCriterion uid => uid.Uids.Contains(message.Uid),
            SizeCriterion size => size.Comparison == SizeComparison.Larger ? message.Size > size.Size : message.Size < size.Size,
            DateCriterion date => MatchesDate(date, message),
            // RFC 5032 §3: OLDER n matches INTERNALDATE more than n seconds ago, YOUNGER n within n seconds.
            AgeCriterion age => age.Comparison == AgeComparison.Older
                ? (now - message.InternalDate).TotalSeconds > age.Seconds
                : (now - message.InternalDate).TotalSeconds <= age.Seconds,
            ModSeqCriterion modSeq => message.ModSeq >= modSeq.ModSeq,
            ObjectIdCriterion id => string.Equals(id.Kind == ObjectIdKind.EmailId ? message.EmailId : message.ThreadId, id.Id, StringComparison.Ordinal),
            HeaderCriterion or AddressCriterion or TextCriterion => textMatcher(criteria, message),
            NotCriterion not => !Matches(not.Criterion, message, textMatcher, now),
            AndCriterion and => MatchesAll(and.Criteria, message, textMatcher, now),
            OrCriterion or => Matches(or.Left, message, textMatcher, now) || Matches(or.Right, message, textMatcher, now),
            _ => throw new ArgumentException($"Unknown search criterion {criteria.GetType().Name}.", nameof(criteria)),
        };
    }

    // A loop, not Enumerable.All: this runs once per message of the mailbox, and a lambda would allocate each time.
    private static bool MatchesAll(IReadOnlyList<SearchCriteria> criteria, SearchMessage message, Func<SearchCriteria, SearchMessage, bool> textMatcher, DateTimeOffset now)
    {
        for (var i = 0; i < criteria.Count; i++)
        {
            if (!Matches(criteria[i], message, textMatcher, now))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasKeyword(IReadOnlyList<string> keywords, string keyword)
    {
        foreach (var k in keywords)
        {
            if (string.Equals(k, keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesDate(DateCriterion criterion, SearchMessage message)
    {
        var value = criterion.Field switch
        {
            SearchDateField.Internal => message.InternalDate,
            SearchDateField.Saved => message.SaveDate,
            _ => message.SentDate,
        };
        if (value is not { } date)
        {
            return false;
        }

        // RFC 9051 §6.4.4: "disregarding time and timezone": the calendar date in the value's own zone.
        var day = DateOnly.FromDateTime(date.DateTime);
        return criterion.Comparison switch
        {
            DateComparison.Before => day < criterion.Date,
            DateComparison.On => day == criterion.Date,
            _ => day >= criterion.Date,
        };
    }
}
