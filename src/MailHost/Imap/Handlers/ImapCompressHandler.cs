using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951) both ways from the end of the tagged OK.</summary>
internal sealed class ImapCompressHandler(ImapSessionState session, IImapConnection connection)
{
    public async Task CompressAsync(CompressCommand command)
    {
        if (!string.Equals(command.Mechanism, "DEFLATE", StringComparison.OrdinalIgnoreCase))
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, null, "Unsupported compression mechanism");
            return;
        }

        if (connection.IsCompressed)
        {
            // RFC 4978 §3: a second COMPRESS is refused with [COMPRESSIONACTIVE].
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "COMPRESSIONACTIVE", "DEFLATE is already active");
            return;
        }

        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "DEFLATE active");
        await session.Output.FlushAsync().ConfigureAwait(false);
        connection.StartCompression();
    }
}
