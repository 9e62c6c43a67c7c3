namespace MailHost.Storage;

/// <summary>
/// An open mailbox view as <see cref="OpenMailboxViews"/> sees it: which messages it may still show. For store
/// implementations.
/// </summary>
public interface IOpenMailboxView
{
    /// <summary>
    /// Whether the view may still show the message <paramref name="uid"/> to its session: it is in the view's
    /// snapshot, or the view is reading a new snapshot and may be about to take it in. Must be safe to call from any
    /// thread.
    /// </summary>
    bool Holds(uint uid);
}
