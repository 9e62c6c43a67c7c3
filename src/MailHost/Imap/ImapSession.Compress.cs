using System.IO.Compression;
using System.IO.Pipelines;
using MailHost.Protocols.Imap;

namespace MailHost.Imap;

/// <summary>COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951) both ways from the end of the tagged OK.</summary>
internal sealed partial class ImapSession
{
    private bool _compressed;

    private async Task CompressAsync(CompressCommand command)
    {
        if (!string.Equals(command.Mechanism, "DEFLATE", StringComparison.OrdinalIgnoreCase))
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, null, "Unsupported compression mechanism");
            return;
        }

        if (_compressed)
        {
            // RFC 4978 §3: a second COMPRESS is refused with [COMPRESSIONACTIVE].
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "COMPRESSIONACTIVE", "DEFLATE is already active");
            return;
        }

        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "DEFLATE active");
        await _output.FlushAsync().ConfigureAwait(false);

        // RFC 4978 §4: the client starts compressing after it has read the OK, so nothing compressed is buffered yet.
        // Each flush of the writer is a DEFLATE sync flush, so every response batch reaches the client at once.
        var inflate = new DeflateStream(_input.AsStream(leaveOpen: true), CompressionMode.Decompress, leaveOpen: true);
        var deflate = new DeflateStream(_output.Pipe.AsStream(leaveOpen: true), CompressionLevel.Fastest, leaveOpen: true);
        _input = PipeReader.Create(inflate, new StreamPipeReaderOptions(leaveOpen: true));
        _output = new ImapOutput(PipeWriter.Create(deflate, new StreamPipeWriterOptions(leaveOpen: true)), _trace, _flusher);
        _writer = new ImapResponseWriter(_output) { Utf8Enabled = _utf8 };
        _examinedAll = false;
        _compressed = true;
    }
}
