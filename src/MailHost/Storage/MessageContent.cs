namespace MailHost.Storage;

/// <summary>
/// The stored bytes of one message, opened on demand. <c>BODY[1.2]&lt;0.100&gt;</c> is
/// <c>OpenAsync(part.BodyOffset, 100)</c>: a seek into the stored bytes, never a re-parse or a whole-message buffer.
/// </summary>
public abstract class MessageContent
{
    /// <summary>The message size in octets.</summary>
    public abstract long Length { get; }

    /// <summary>
    /// Opens a read-only stream over <paramref name="length"/> octets from <paramref name="offset"/> (clamped to
    /// the content), or returns <see langword="null"/> when the content no longer exists (the message was
    /// expunged and its bytes released). The caller disposes the stream.
    /// </summary>
    public abstract ValueTask<Stream?> OpenAsync(long offset, long length, CancellationToken cancellationToken);

    /// <summary>Opens the whole message; see <see cref="OpenAsync(long, long, CancellationToken)"/>.</summary>
    public ValueTask<Stream?> OpenAsync(CancellationToken cancellationToken) => OpenAsync(0, Length, cancellationToken);
}
