using System.Net.Security;
using System.Security.Authentication;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// A handshake that starts and then hangs: a real ClientHello (made once by <see cref="SslStream"/> and captured) sent
/// on a raw connection, after which the client never answers. The server takes a handshake place for it and waits.
/// </summary>
public static class StalledTlsHandshake
{
    private static readonly Lazy<Task<byte[]>> Hello = new(CaptureAsync);

    /// <summary>
    /// Sends the ClientHello on <paramref name="client"/> (implicit TLS, TLS detection, or after a STARTTLS reply) and
    /// waits for the server's first answer. True: the server is in the handshake (it holds a place now); false: it
    /// closed the connection instead.
    /// </summary>
    public static async Task<bool> StartAsync(LineClient client)
    {
        await client.SendRawAsync(await Hello.Value.WaitAsync(TimeSpan.FromSeconds(15)));
        var first = new byte[1];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await client.Stream.ReadAsync(first, timeout.Token) == 1;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<byte[]> CaptureAsync()
    {
        var capture = new CaptureStream();
        using var ssl = new SslStream(capture);
        using var stop = new CancellationTokenSource();
        var handshake = ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = TestCertificate.Validate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            },
            stop.Token);
        var hello = await capture.FirstWrite.WaitAsync(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        try
        {
            await handshake.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (OperationCanceledException)
        {
            // The capture stream never answers: the client's side ends here.
        }

        return hello;
    }

    /// <summary>Keeps the first write (the ClientHello record) and never returns data.</summary>
    private sealed class CaptureStream : Stream
    {
        private readonly TaskCompletionSource<byte[]> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<byte[]> FirstWrite => _first.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _first.TrySetResult(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => _first.TrySetResult(buffer.AsSpan(offset, count).ToArray());

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
