namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Stored bytes of one message, streamed chunk by chunk from <see cref="IContentBlobs"/>; <see langword="null"/> once
/// the content is gone. The content address comes with the row when the listing joined <c>contents</c> anyway;
/// otherwise it is found by content id when opened, so listing flags and sizes never touches <c>contents</c>.
/// </summary>
internal sealed class PostgresMessageContent : MessageContent
{
    private readonly PostgresMailStore _store;
    private readonly long _contentId;
    private readonly string? _address;

    public PostgresMessageContent(PostgresMailStore store, long contentId, long length, string? address)
    {
        _store = store;
        _contentId = contentId;
        _address = address;
        Length = length;
    }

    public override long Length { get; }

    /// <summary>The content's address, when the row that made this handle carried it.</summary>
    public string? Address => _address;

    /// <summary>Bytes read with the FETCH page this handle belongs to, while that page lasts.</summary>
    public ContentReadAhead? ReadAhead { get; set; }

    public override async ValueTask<Stream?> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        offset = Math.Clamp(offset, 0, Length);
        length = Math.Clamp(length, 0, Length - offset);
        if (_address is not null && ReadAhead?.Open(_address, offset, length) is { } ahead)
        {
            return ahead;
        }

        var address = _address ?? await _store.ReadSingleAsync(
            (s, ct) => s.FirstAsync("SELECT address FROM contents WHERE id = $1", r => r.GetString(0), ct, _contentId),
            cancellationToken).ConfigureAwait(false);
        return address is null ? null : await _store.Blobs.OpenReadAsync(address, offset, length, cancellationToken).ConfigureAwait(false);
    }
}
