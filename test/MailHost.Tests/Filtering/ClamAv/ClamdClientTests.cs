using System.Diagnostics;
using System.Net.Sockets;
using MailHost.Filtering.ClamAv;

namespace MailHost.Tests.Filtering.ClamAv;

/// <summary>The clamd protocol client against <see cref="FakeClamd"/>: the exact octets it sends and how it reads replies.</summary>
public sealed class ClamdClientTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Instream_sends_the_z_command_big_endian_chunk_lengths_and_a_zero_length_chunk()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0"));
        var content = Enumerable.Range(0, 2500).Select(i => (byte)i).ToArray();

        var result = await Client(clamd, chunkSize: 1024).ScanAsync(new MemoryStream(content), CancellationToken.None).WaitAsync(Limit);
        await clamd.FirstHandled.WaitAsync(Limit);

        result.Should().Be(new ClamdScanResult(ClamdScanStatus.Clean));
        byte[] expected =
        [
            .. "zINSTREAM\0"u8,
            0x00, 0x00, 0x04, 0x00, .. content[..1024],
            0x00, 0x00, 0x04, 0x00, .. content[1024..2048],
            0x00, 0x00, 0x01, 0xC4, .. content[2048..],
            0x00, 0x00, 0x00, 0x00,
        ];
        clamd.Received.Should().Equal(expected);
    }

    [Fact]
    public async Task An_empty_message_is_the_command_and_the_zero_length_chunk_alone()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0"));

        var result = await Client(clamd).ScanAsync(new MemoryStream(), CancellationToken.None).WaitAsync(Limit);
        await clamd.FirstHandled.WaitAsync(Limit);

        result.Status.Should().Be(ClamdScanStatus.Clean);
        clamd.Received.Should().Equal([.. "zINSTREAM\0"u8, 0, 0, 0, 0]);
    }

    [Fact]
    public async Task A_short_reading_stream_still_gives_full_chunks()
    {
        var lengths = new List<int>();
        await using var server = FakeClamd.OnTcp(async (fake, stream) =>
        {
            await fake.ReadCommandAsync(stream);
            lengths.AddRange(await fake.ReadChunksAsync(stream));
            await stream.WriteAsync("stream: OK\0"u8.ToArray());
        });

        await Client(server, chunkSize: 4096).ScanAsync(new TrickleStream(new byte[10_000]), CancellationToken.None).WaitAsync(Limit);
        await server.FirstHandled.WaitAsync(Limit);

        lengths.Should().Equal(4096, 4096, 1808, 0);
    }

    [Fact]
    public async Task Found_names_the_signature()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: Win.Test.EICAR_HDB-1 FOUND\0"));

        var result = await Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        result.Should().Be(new ClamdScanResult(ClamdScanStatus.Infected, "Win.Test.EICAR_HDB-1"));
    }

    [Fact]
    public async Task An_error_reply_is_an_error_result_with_clamds_text()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: Can't allocate memory ERROR\0"));

        var result = await Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        result.Should().Be(new ClamdScanResult(ClamdScanStatus.Error, "Can't allocate memory"));
    }

    [Fact]
    public async Task The_size_limit_answer_after_the_whole_stream_is_size_limit_exceeded()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("INSTREAM size limit exceeded. ERROR\0"));

        var result = await Client(clamd).ScanAsync(new MemoryStream(new byte[100_000]), CancellationToken.None).WaitAsync(Limit);

        result.Status.Should().Be(ClamdScanStatus.SizeLimitExceeded);
    }

    [Fact]
    public async Task The_size_limit_answer_in_mid_stream_stops_the_sending()
    {
        // As clamd does at StreamMaxLength: answer, then close with the rest unread (the close resets the connection).
        await using var clamd = FakeClamd.OnTcp(async (fake, stream) =>
        {
            await fake.ReadCommandAsync(stream);
            await fake.ReadChunksAsync(stream, stopAfter: 1024 * 1024);
            await stream.WriteAsync("INSTREAM size limit exceeded. ERROR\0"u8.ToArray());
        });

        // The content never ends: only clamd's early answer can finish the scan.
        var result = await Client(clamd).ScanAsync(new EndlessStream(), CancellationToken.None).WaitAsync(Limit);

        result.Status.Should().Be(ClamdScanStatus.SizeLimitExceeded);
    }

    [Fact]
    public async Task An_OK_before_the_end_of_the_stream_is_no_verdict()
    {
        await using var clamd = FakeClamd.OnTcp(async (fake, stream) =>
        {
            await fake.ReadCommandAsync(stream);
            await fake.ReadChunksAsync(stream, stopAfter: 64 * 1024);
            await stream.WriteAsync("stream: OK\0"u8.ToArray());
        });

        var scan = () => Client(clamd).ScanAsync(new EndlessStream(), CancellationToken.None).WaitAsync(Limit);

        (await scan.Should().ThrowAsync<ClamdException>()).WithMessage("*answered 'stream: OK' before the end of the stream*");
    }

    [Fact]
    public async Task A_malformed_reply_is_malformed()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("hello there\0"));

        var result = await Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        result.Should().Be(new ClamdScanResult(ClamdScanStatus.Malformed, "hello there"));
    }

    [Fact]
    public async Task A_reply_without_NUL_before_the_close_throws()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK"));

        var scan = () => Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        (await scan.Should().ThrowAsync<ClamdException>()).WithMessage("*before the end of its reply (no NUL)*stream: OK*");
    }

    [Fact]
    public async Task A_close_without_any_reply_throws()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering(""));

        var scan = () => Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        (await scan.Should().ThrowAsync<ClamdException>()).WithMessage("*without a reply*");
    }

    [Fact]
    public async Task A_reply_longer_than_the_limit_throws()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering(new string('x', ClamdClient.MaxReplyLength + 10)));

        var scan = () => Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        (await scan.Should().ThrowAsync<ClamdException>()).WithMessage($"*no NUL in its first {ClamdClient.MaxReplyLength} octets*");
    }

    [Fact]
    public async Task Control_characters_in_a_reply_are_not_passed_on()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: Bad\r\n250 OK\u0007 FOUND\0"));

        var result = await Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), CancellationToken.None).WaitAsync(Limit);

        result.Should().Be(new ClamdScanResult(ClamdScanStatus.Infected, "Bad??250 OK?"));
    }

    [Fact]
    public async Task Cancelling_closes_the_connection_at_once()
    {
        var closedByClient = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var clamd = FakeClamd.OnTcp(async (fake, stream) =>
        {
            await fake.ReadCommandAsync(stream);
            await fake.ReadChunksAsync(stream);

            // No reply: the client waits until it is cancelled, and then its end closes.
            var read = await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(Limit);
            read.Should().Be(0);
            closedByClient.SetResult();
        });
        using var cancel = new CancellationTokenSource();
        var scan = Client(clamd).ScanAsync(new MemoryStream("hello"u8.ToArray()), cancel.Token);
        await WaitUntilAsync(() => clamd.Received.Length == "zINSTREAM\0".Length + 4 + 5 + 4);

        var watch = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => scan.WaitAsync(Limit)).Should().ThrowAsync<OperationCanceledException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        await closedByClient.Task.WaitAsync(Limit);
    }

    [Fact]
    public async Task Ping_completes_on_PONG()
    {
        await using var clamd = FakeClamd.OnTcp(async (fake, stream) =>
        {
            (await fake.ReadCommandAsync(stream)).Should().Be("zPING");
            await stream.WriteAsync("PONG\0"u8.ToArray());
        });

        await Client(clamd).PingAsync(CancellationToken.None).WaitAsync(Limit);
        await clamd.FirstHandled.WaitAsync(Limit);

        clamd.Received.Should().Equal("zPING\0"u8.ToArray());
    }

    [Fact]
    public async Task Ping_throws_on_another_reply()
    {
        await using var clamd = FakeClamd.OnTcp(async (fake, stream) =>
        {
            await fake.ReadCommandAsync(stream);
            await stream.WriteAsync("UNKNOWN COMMAND\0"u8.ToArray());
        });

        var ping = () => Client(clamd).PingAsync(CancellationToken.None).WaitAsync(Limit);

        (await ping.Should().ThrowAsync<ClamdException>()).WithMessage("*UNKNOWN COMMAND*not PONG*");
    }

    [Fact]
    public async Task Nothing_listening_throws_a_socket_exception_quickly()
    {
        string address;
        await using (var gone = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0")))
        {
            address = gone.Address;
        }

        ClamdAddress.TryParse(address, out var parsed, out _).Should().BeTrue();
        var watch = Stopwatch.StartNew();
        var ping = () => new ClamdClient(parsed!, 1024).PingAsync(CancellationToken.None).WaitAsync(Limit);

        await ping.Should().ThrowAsync<SocketException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Scans_over_a_unix_socket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mh-clamd-{Guid.NewGuid():N}.sock");
        await using var clamd = FakeClamd.OnUnixSocket(path, FakeClamd.Answering("stream: OK\0"));

        var result = await Client(clamd, chunkSize: 1024).ScanAsync(new MemoryStream(new byte[3000]), CancellationToken.None).WaitAsync(Limit);
        await clamd.FirstHandled.WaitAsync(Limit);

        result.Status.Should().Be(ClamdScanStatus.Clean);
        clamd.Received.Length.Should().Be("zINSTREAM\0".Length + (3 * 4) + 3000 + 4);
    }

    internal static ClamdClient Client(FakeClamd clamd, int chunkSize = 64 * 1024)
        => ClamdAddress.TryParse(clamd.Address, out var address, out var error)
            ? new ClamdClient(address, chunkSize)
            : throw new InvalidOperationException(error);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Limit);
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    /// <summary>A stream of zeros without end.</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A stream that gives at most 100 octets per read, as a network or decoding stream may.</summary>
    private sealed class TrickleStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 100));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
