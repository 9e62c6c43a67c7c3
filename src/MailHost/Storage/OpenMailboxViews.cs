namespace MailHost.Storage;

/// <summary>
/// The open views of each mailbox in this process, for store implementations. An expunge asks whether another view
/// may still show the message: if so the store keeps the message readable (RFC 2180 §4.1.1), and releases it once no
/// view holds it any more (the contract of <see cref="IMailboxView"/>). Thread-safe.
/// </summary>
public sealed class OpenMailboxViews
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, List<IOpenMailboxView>> _views = [];

    /// <summary>
    /// Registers <paramref name="view"/> of the mailbox <paramref name="mailboxId"/>, before it reads its first
    /// snapshot.
    /// </summary>
    public void Add(long mailboxId, IOpenMailboxView view)
    {
        lock (_lock)
        {
            if (!_views.TryGetValue(mailboxId, out var list))
            {
                list = [];
                _views.Add(mailboxId, list);
            }

            list.Add(view);
        }
    }

    /// <summary>Unregisters <paramref name="view"/> of the mailbox <paramref name="mailboxId"/>: the view is closed.</summary>
    public void Remove(long mailboxId, IOpenMailboxView view)
    {
        lock (_lock)
        {
            if (_views.TryGetValue(mailboxId, out var list) && list.Remove(view) && list.Count == 0)
            {
                _views.Remove(mailboxId);
            }
        }
    }

    /// <summary>Whether a view of the mailbox other than <paramref name="except"/> is open.</summary>
    public bool AnyOther(long mailboxId, IOpenMailboxView? except)
    {
        lock (_lock)
        {
            return _views.TryGetValue(mailboxId, out var list) && list.Any(v => !ReferenceEquals(v, except));
        }
    }

    /// <summary>
    /// Whether an open view of the mailbox other than <paramref name="except"/> may still show <paramref name="uid"/>.
    /// </summary>
    public bool IsHeld(long mailboxId, uint uid, IOpenMailboxView? except = null)
    {
        lock (_lock)
        {
            return _views.TryGetValue(mailboxId, out var list) && list.Any(v => !ReferenceEquals(v, except) && v.Holds(uid));
        }
    }
}
