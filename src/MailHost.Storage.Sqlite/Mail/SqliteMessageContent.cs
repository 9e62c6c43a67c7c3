namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Stored bytes: inline in the database, or a content file opened and seeked on demand. Where they are is read when
/// the content is opened, so listing messages never touches their contents rows.
/// </summary>
internal sealed class SqliteMessageContent : MessageContent
{
    private readonly SqliteMailStore _store;
    private readonly long _contentId;

    public SqliteMessageContent(SqliteMailStore store, long contentId, long length)
    {
        _store = store;
        _contentId = contentId;
        Length = length;
    }

    public override long Length { get; }

    /// <summary>The contents row, which the text index and the header columns are keyed by.</summary>
    public long ContentId => _contentId;

    public override async ValueTask<Stream?> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        offset = Math.Clamp(offset, 0, Length);
        length = Math.Clamp(length, 0, Length - offset);
        var (address, bytes) = await _store.ReadAsync(
            db =>
            {
                (string? Address, byte[]? Bytes) row = (null, null);
                db.Query("SELECT address, inline FROM contents WHERE id = @p0", r => row = (r.GetString(0), r.IsDBNull(1) ? null : (byte[])r.GetValue(1)), _contentId);
                return row;
            },
            cancellationToken).ConfigureAwait(false);
        if (bytes is not null)
        {
            return new MemoryStream(bytes, (int)offset, (int)length, writable: false);
        }

        var file = address is null ? null : _store.Blobs.OpenRead(address);
        if (file is null)
        {
            return null;
        }

        file.Seek(offset, SeekOrigin.Begin);
        return new BoundedReadStream(file, length);
    }
}
