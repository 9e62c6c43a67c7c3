using System.Net;

namespace MailHost.Connections;

/// <summary>
/// Caps the TLS handshakes in progress on one endpoint, per client address range first and then in total
/// (SECURITY.md A7). A place is held from a complete ClientHello to the end of its handshake: the cryptographic work
/// and the wait for the client's answer. Thread-safe.
/// </summary>
internal sealed class PendingHandshakeGate(int limit, int perRangeLimit)
{
    private readonly ConnectionCounter _handshakes = new();

    public int Limit => limit;

    public int PerRangeLimit => perRangeLimit;

    /// <summary>Takes a place for <paramref name="range"/>; false when the range's or the endpoint's places are taken.</summary>
    public bool TryEnter(IPNetwork? range, out bool endpointFull)
        => _handshakes.TryAcquire(range, limit, perRangeLimit, out endpointFull);

    /// <summary>Whether <see cref="TryEnter"/> would succeed now; takes nothing.</summary>
    public bool HasRoom(IPNetwork? range) => _handshakes.HasRoom(range, limit, perRangeLimit);

    public void Exit(IPNetwork? range) => _handshakes.Release(range);
}
