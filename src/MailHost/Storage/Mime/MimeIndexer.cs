namespace MailHost.Storage.Mime;

/// <summary>
/// Indexes a message once, at append or delivery, with MimeKit's forward-only <see cref="MimeKit.MimeReader"/>:
/// nothing is buffered but header blocks and a capped amount of decoded text, so a 100 MB message costs
/// kilobytes of memory. Malformed MIME never fails the append: the structure is clipped instead, and the stored
/// bytes stay exactly as received (SECURITY.md C8).
/// </summary>
public static class MimeIndexer
{
    /// <summary>Longest preview (RFC 8970 §3: at most 256 characters).</summary>
    public const int MaxPreviewLength = 256;

    /// <summary>
    /// Most References ids kept in <see cref="MessageIndex.References"/>. A longer header keeps its first id and the
    /// last ones: RFC 5256 links each message to the last id first, and the first id names the thread's start (the
    /// same trimming RFC 5537 §3.4.4 allows a news agent). Generous for real threads, bounded for hostile headers.
    /// </summary>
    public const int MaxThreadReferences = 100;

    /// <summary>Reads <paramref name="content"/> to its end and returns the index.</summary>
    /// <param name="content">The message, positioned at its first byte.</param>
    /// <param name="length">The message length in octets.</param>
    /// <param name="limits">Part-count, depth and text caps.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="IOException">Reading <paramref name="content"/> failed (a transport fault, not bad MIME).</exception>
    public static async Task<IndexedMessage> IndexAsync(Stream content, long length, MailStoreLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(limits);
        var reader = new MimeIndexReader(new FillingReadStream(content), limits);
        try
        {
            await reader.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or IOException or OutOfMemoryException))
        {
            // Lenient by design: whatever MimeKit refuses is stored byte-exact with a clipped structure.
            reader.MarkBroken();
        }

        return reader.Build(length);
    }
}
