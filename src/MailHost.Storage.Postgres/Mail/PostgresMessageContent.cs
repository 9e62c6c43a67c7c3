namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Stored bytes of one message, found by content id when opened (so listing messages never touches their content)
/// and streamed chunk by chunk from <see cref="IContentBlobs"/>; <see langword="null"/> once the content is gone.
/// </summary>
internal sealed class PostgresMessageContent : MessageContent
{
    private readonly PostgresMailStore _store;
    private readonly long _contentId;

    public PostgresMessageContent(PostgresMailStore store, long contentId, long length)
    {
        _store = store;
        _contentId = contentId;
        Length = length;
    }

    public override long Length { get; }

    public override async ValueTask<Stream?> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        offset = Math.Clamp(offset, 0, Length);
        length = Math.Clamp(length, 0, Length - offset);
        var address = await _store.ReadAsync(
            async (s, ct) => (await s.FirstAsync("SELECT address FROM contents WHERE id = $1", r => r.GetString(0), ct, _contentId).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        return address is null ? null : await _store.Blobs.OpenReadAsync(address, offset, length, cancellationToken).ConfigureAwait(false);
    }
}
