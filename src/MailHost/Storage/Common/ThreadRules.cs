namespace MailHost.Storage.Common;

/// <summary>
/// THREADID (RFC 8474 §5.2) for every store: messages that reference each other share a thread. A store keeps, per
/// account, which thread each Message-ID belongs to; a new message joins the thread of the first of its references
/// that is known, else the thread its own Message-ID was seen in, else a new one.
/// </summary>
public static class ThreadRules
{
    /// <summary>The Message-IDs a store must look up for a message, in the order they count.</summary>
    public static IReadOnlyList<string> Lookups(IReadOnlyList<string> references, string? messageId)
    {
        ArgumentNullException.ThrowIfNull(references);
        return messageId is null ? references : [.. references, messageId];
    }

    /// <summary>
    /// The thread of a new message. <paramref name="knownThread"/> gives the thread recorded for a Message-ID, if any.
    /// Afterwards the store records <paramref name="messageId"/>, when there is one, in the returned thread unless
    /// it is recorded already.
    /// </summary>
    public static string Resolve(IReadOnlyList<string> references, string? messageId, Func<string, string?> knownThread)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(knownThread);
        foreach (var reference in references)
        {
            if (knownThread(reference) is { } thread)
            {
                return thread;
            }
        }

        return (messageId is null ? null : knownThread(messageId)) ?? MailObjectIds.NewThreadId();
    }
}
