using System.IO.Pipelines;
using System.Net.Security;

namespace MailHost.Connections;

/// <summary>An established TLS session over a connection's raw transport, exposed as a duplex pipe.</summary>
internal sealed class TlsTransport : IAsyncDisposable
{
    private readonly SslStream _stream;

    public TlsTransport(SslStream stream)
    {
        _stream = stream;
        Pipe = new DuplexPipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));
    }

    public IDuplexPipe Pipe { get; }

    public SslStream Stream => _stream;

    public async ValueTask DisposeAsync()
    {
        // Flush what the session left in the writer, then say goodbye at the TLS layer (close_notify).
        try
        {
            await Pipe.Output.CompleteAsync().ConfigureAwait(false);
            await Pipe.Input.CompleteAsync().ConfigureAwait(false);
            await _stream.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The peer is already gone; nothing more to say.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
