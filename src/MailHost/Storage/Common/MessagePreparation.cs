using MailHost.Storage.Mime;

namespace MailHost.Storage.Common;

/// <summary>
/// What every store does with an incoming message before its transaction: spool it (bounded, content-addressed),
/// index its MIME structure, and for APPEND with literal8 store parts holding NUL base64-encoded (RFC 3516 §4.4,
/// §6) so that BODY[] can always send them. The store then stores the spool's bytes under its address.
/// </summary>
public static class MessagePreparation
{
    /// <summary>
    /// Prepares <paramref name="content"/> (read to its end or to the size limit, not disposed). The caller owns and
    /// disposes the returned spool. <see cref="StoreErrorCode.TooBig"/> when it passes <see cref="MessageSpoolOptions.MaxSize"/>.
    /// </summary>
    /// <exception cref="IOException">The spool file could not be written.</exception>
    public static async Task<StoreResult<(MessageSpool Spool, IndexedMessage Indexed)>> PrepareAsync(
        Stream content, MessageSpoolOptions options, MailStoreLimits limits, bool encodeNulParts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var spooled = await MessageSpool.CreateAsync(content, options, cancellationToken).ConfigureAwait(false);
        if (!spooled.IsSuccess)
        {
            return StoreResult<(MessageSpool, IndexedMessage)>.Fail(spooled.Error);
        }

        var received = spooled.Value;
        try
        {
            IndexedMessage indexed;
            var reader = received.OpenRead();
            await using (reader.ConfigureAwait(false))
            {
                indexed = await MimeIndexer.IndexAsync(reader, received.Length, limits, cancellationToken).ConfigureAwait(false);
            }

            if (!encodeNulParts)
            {
                return (received, indexed);
            }

            var converted = await BinaryPartEncoder.ConvertAsync(received, indexed, options, limits, cancellationToken).ConfigureAwait(false);
            if (!converted.IsSuccess)
            {
                await received.DisposeAsync().ConfigureAwait(false);
            }

            return converted;
        }
        catch
        {
            await received.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
