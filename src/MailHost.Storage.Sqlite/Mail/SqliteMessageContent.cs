using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>Stored bytes: inline in the database, or a content file opened and seeked on demand.</summary>
internal sealed class SqliteMessageContent : MessageContent
{
    private readonly SqliteMailStore _store;
    private readonly long _contentId;
    private readonly string _address;
    private readonly bool _inline;

    public SqliteMessageContent(SqliteMailStore store, long contentId, string address, long length, bool inline)
    {
        _store = store;
        _contentId = contentId;
        _address = address;
        Length = length;
        _inline = inline;
    }

    public override long Length { get; }

    public override async ValueTask<Stream?> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        offset = Math.Clamp(offset, 0, Length);
        length = Math.Clamp(length, 0, Length - offset);
        if (_inline)
        {
            var bytes = await _store.ReadAsync(db => db.Scalar("SELECT inline FROM contents WHERE id = @p0", _contentId) as byte[], cancellationToken).ConfigureAwait(false);
            return bytes is null ? null : new MemoryStream(bytes, (int)offset, (int)length, writable: false);
        }

        var file = _store.Blobs.OpenRead(_address);
        if (file is null)
        {
            return null;
        }

        file.Seek(offset, SeekOrigin.Begin);
        return new BoundedReadStream(file, length);
    }
}
