namespace MailHost.Filtering;

/// <summary>
/// The received message at the message stage: readable as many times as filters need, each read a new stream over
/// the spool (never the whole message in memory).
/// </summary>
public sealed class InboundFilterMessage
{
    private readonly Func<CancellationToken, ValueTask<Stream>> _open;

    internal InboundFilterMessage(long length, Func<CancellationToken, ValueTask<Stream>> open)
    {
        Length = length;
        _open = open;
    }

    /// <summary>Octets of the message as <see cref="OpenAsync"/> reads it.</summary>
    public long Length { get; }

    /// <summary>
    /// A new read-only stream of the message as the client sent it, with this server's Received field first (as
    /// a scanner expects a message that arrived here). The caller disposes it.
    /// </summary>
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => _open(cancellationToken);
}
