namespace MailHost.Storage.Common;

/// <summary>
/// The mailbox rules of RFC 9051 §6.3.4-6.3.6 and RFC 6154 for every store: what CREATE, DELETE and RENAME do to an
/// account's mailboxes, as a list of <see cref="MailboxStep"/>s planned from the mailboxes the store read in its
/// transaction, and how LIST derives the hierarchy attributes. Pure: a store only reads and applies.
/// </summary>
public static class MailboxTreeRules
{
    /// <summary>The checks of CREATE that need no store: the name's syntax and the special-use bits; gives the canonical name.</summary>
    public static StoreResult<string> CheckCreate(string name, MailboxAttributes specialUse, MailStoreLimits limits)
    {
        if ((specialUse & ~MailboxAttributes.SpecialUseMask) != 0)
        {
            return StoreResult<string>.Fail(StoreErrorCode.InvalidArgument, "Only special-use attributes can be set.");
        }

        return MailboxName.Normalize(name, limits);
    }

    /// <summary>The checks of DELETE that need no store: the name's syntax, and INBOX cannot be deleted (RFC 9051 §6.3.5).</summary>
    public static StoreResult<string> CheckDelete(string name, MailStoreLimits limits)
    {
        var normalized = MailboxName.Normalize(name, limits);
        if (normalized.IsSuccess && MailboxName.IsInbox(normalized.Value))
        {
            return StoreResult<string>.Fail(StoreErrorCode.NotAllowed, "INBOX cannot be deleted.");
        }

        return normalized;
    }

    /// <summary>The checks of RENAME that need no store: both names' syntax, and no mailbox is renamed to itself or below itself.</summary>
    public static StoreResult<(string From, string To)> CheckRename(string name, string newName, MailStoreLimits limits)
    {
        var from = MailboxName.Normalize(name, limits);
        if (!from.IsSuccess)
        {
            return StoreResult<(string, string)>.Fail(from.Error);
        }

        var to = MailboxName.Normalize(newName, limits);
        if (!to.IsSuccess)
        {
            return StoreResult<(string, string)>.Fail(to.Error);
        }

        if (string.Equals(from.Value, to.Value, StringComparison.Ordinal) || MailboxName.IsDescendantOf(to.Value, from.Value))
        {
            return StoreResult<(string, string)>.Fail(StoreErrorCode.NotAllowed, "A mailbox cannot be renamed to itself or below itself.");
        }

        return StoreResult<(string, string)>.Success((from.Value, to.Value));
    }

    /// <summary>
    /// CREATE (RFC 9051 §6.3.4) of the canonical <paramref name="name"/>: the missing superior levels first, then the
    /// mailbox. A <c>\Noselect</c> placeholder of that name is replaced by a real mailbox with a new identity.
    /// </summary>
    public static StoreResult<IReadOnlyList<MailboxStep>> PlanCreate(IReadOnlyList<MailboxEntry> mailboxes, string name, MailboxAttributes specialUse, MailStoreLimits limits)
    {
        ArgumentNullException.ThrowIfNull(mailboxes);
        ArgumentNullException.ThrowIfNull(limits);
        var byName = Index(mailboxes);
        var existing = byName.GetValueOrDefault(name);
        if (existing is { Noselect: false })
        {
            return Fail(StoreErrorCode.AlreadyExists, "The mailbox already exists.");
        }

        var steps = new List<MailboxStep>();
        foreach (var ancestor in MailboxName.Ancestors(name))
        {
            if (!byName.ContainsKey(ancestor))
            {
                steps.Add(new MailboxStep.Create(ancestor, MailboxAttributes.None, Noselect: false));
            }
        }

        var added = steps.Count + (existing is null ? 1 : 0);
        if (mailboxes.Count + added > limits.MaxMailboxesPerAccount)
        {
            return Fail(StoreErrorCode.LimitExceeded, "The account has too many mailboxes.");
        }

        if (existing is not null)
        {
            steps.Add(new MailboxStep.Remove(name));
        }

        steps.Add(new MailboxStep.Create(name, specialUse, Noselect: false));
        return StoreResult<IReadOnlyList<MailboxStep>>.Success(steps);
    }

    /// <summary>
    /// DELETE (RFC 9051 §6.3.5) of the canonical <paramref name="name"/>: the mailbox and its messages go; a mailbox
    /// with children leaves a <c>\Noselect</c> placeholder, and a placeholder with children cannot be deleted.
    /// Subscriptions are kept.
    /// </summary>
    public static StoreResult<IReadOnlyList<MailboxStep>> PlanDelete(IReadOnlyList<MailboxEntry> mailboxes, string name)
    {
        ArgumentNullException.ThrowIfNull(mailboxes);
        var mailbox = mailboxes.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
        if (mailbox is null)
        {
            return Fail(StoreErrorCode.NotFound, "No such mailbox.");
        }

        var hasChildren = mailboxes.Any(m => MailboxName.IsDescendantOf(m.Name, name));
        if (hasChildren && mailbox.Noselect)
        {
            return Fail(StoreErrorCode.HasChildren, "The mailbox has children and holds no messages.");
        }

        MailboxStep[] steps = hasChildren
            ? [new MailboxStep.Remove(name), new MailboxStep.Create(name, MailboxAttributes.None, Noselect: true)]
            : [new MailboxStep.Remove(name)];
        return StoreResult<IReadOnlyList<MailboxStep>>.Success(steps);
    }

    /// <summary>
    /// RENAME (RFC 9051 §6.3.6) of canonical <paramref name="from"/> to canonical <paramref name="to"/>: the missing
    /// superior levels of the new name are created; the mailbox and its children move with their UIDVALIDITY, and
    /// the subscriptions of the moved names move along. Renaming INBOX moves its messages into a new mailbox and
    /// leaves INBOX, and its children, where they are.
    /// </summary>
    /// <param name="mailboxes">Every mailbox of the account.</param>
    /// <param name="subscriptions">Every subscribed name of the account.</param>
    /// <param name="from">The canonical name to rename, checked by <see cref="CheckRename"/>.</param>
    /// <param name="to">The canonical new name.</param>
    public static StoreResult<IReadOnlyList<MailboxStep>> PlanRename(IReadOnlyList<MailboxEntry> mailboxes, IReadOnlyCollection<string> subscriptions, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(mailboxes);
        ArgumentNullException.ThrowIfNull(subscriptions);
        var byName = Index(mailboxes);
        if (!byName.ContainsKey(from))
        {
            return Fail(StoreErrorCode.NotFound, "No such mailbox.");
        }

        // A \Noselect placeholder is taken too: RENAME does not merge hierarchies.
        if (byName.ContainsKey(to) || mailboxes.Any(m => MailboxName.IsDescendantOf(m.Name, to)))
        {
            return Fail(StoreErrorCode.AlreadyExists, "The new name already exists.");
        }

        var steps = new List<MailboxStep>();
        foreach (var ancestor in MailboxName.Ancestors(to))
        {
            if (!byName.ContainsKey(ancestor))
            {
                steps.Add(new MailboxStep.Create(ancestor, MailboxAttributes.None, Noselect: false));
            }
        }

        if (MailboxName.IsInbox(from))
        {
            steps.Add(new MailboxStep.Create(to, MailboxAttributes.None, Noselect: false));
            steps.Add(new MailboxStep.MoveMessages(from, to));
            return StoreResult<IReadOnlyList<MailboxStep>>.Success(steps);
        }

        // The new names are all free (checked above), so the order of the renames does not matter.
        foreach (var mailbox in mailboxes.Where(m => InSubtree(m.Name, from)).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            steps.Add(new MailboxStep.Rename(mailbox.Name, Rebase(mailbox.Name, from, to)));
        }

        foreach (var subscription in subscriptions.Where(s => InSubtree(s, from)).Order(StringComparer.Ordinal))
        {
            steps.Add(new MailboxStep.RenameSubscription(subscription, Rebase(subscription, from, to)));
        }

        return StoreResult<IReadOnlyList<MailboxStep>>.Success(steps);
    }

    /// <summary>
    /// LIST's view of the account (RFC 9051 §7.3.1): every mailbox sorted by name with <c>\HasChildren</c> or
    /// <c>\HasNoChildren</c>, <c>\Noselect</c>, <c>\Subscribed</c> and its special-use attribute.
    /// </summary>
    public static IReadOnlyList<MailboxInfo> List(IEnumerable<MailboxEntry> mailboxes, IReadOnlySet<string> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(mailboxes);
        ArgumentNullException.ThrowIfNull(subscriptions);
        var sorted = mailboxes.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var result = new List<MailboxInfo>(sorted.Count);
        for (var i = 0; i < sorted.Count; i++)
        {
            var mailbox = sorted[i];

            // Sorted ordinally, a mailbox's children come right after it.
            var hasChildren = i + 1 < sorted.Count && MailboxName.IsDescendantOf(sorted[i + 1].Name, mailbox.Name);
            result.Add(new MailboxInfo(mailbox.Name, mailbox.SpecialUse
                | (mailbox.Noselect ? MailboxAttributes.Noselect : MailboxAttributes.None)
                | (hasChildren ? MailboxAttributes.HasChildren : MailboxAttributes.HasNoChildren)
                | (subscriptions.Contains(mailbox.Name) ? MailboxAttributes.Subscribed : MailboxAttributes.None)));
        }

        return result;
    }

    private static bool InSubtree(string name, string root) => string.Equals(name, root, StringComparison.Ordinal) || MailboxName.IsDescendantOf(name, root);

    private static string Rebase(string name, string from, string to) => to + name[from.Length..];

    private static Dictionary<string, MailboxEntry> Index(IReadOnlyList<MailboxEntry> mailboxes)
    {
        var byName = new Dictionary<string, MailboxEntry>(mailboxes.Count, StringComparer.Ordinal);
        foreach (var mailbox in mailboxes)
        {
            byName[mailbox.Name] = mailbox;
        }

        return byName;
    }

    private static StoreResult<IReadOnlyList<MailboxStep>> Fail(StoreErrorCode code, string message) => StoreResult<IReadOnlyList<MailboxStep>>.Fail(code, message);
}
