namespace MailHost.Connections;

/// <summary>Caps how many connections of an endpoint may sit in TLS detection or handshake at once (SECURITY.md A7).</summary>
internal sealed class PendingHandshakeGate(int limit)
{
    private int _count;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _count) > limit && limit > 0)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _count);
}
