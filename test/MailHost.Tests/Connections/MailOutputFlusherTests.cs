using System.Buffers;
using System.IO.Pipelines;
using MailHost.Connections;
using MailHost.Tests.Logins;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Connections;

/// <summary>The write timeout of a session's flushes (issue 17 item 6), on a pipe whose reader never reads.</summary>
public sealed class MailOutputFlusherTests
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_flush_the_client_never_takes_aborts_the_connection_at_the_write_timeout()
    {
        var (connection, output, time) = Setup();
        using var flusher = new MailOutputFlusher(connection, WriteTimeout, time, NullLogger.Instance, CancellationToken.None);

        output.Write(new byte[100]);
        var flush = flusher.FlushAsync(output).AsTask();
        time.Advance(WriteTimeout - TimeSpan.FromSeconds(1));
        flush.IsCompleted.Should().BeFalse("the client still has a second");
        time.Advance(TimeSpan.FromSeconds(1));

        await flush.Invoking(f => f.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<ConnectionAbortedException>();
        connection.Aborted.Should().BeTrue();
    }

    [Fact]
    public async Task A_flush_that_waited_and_completed_leaves_no_timer_behind_for_the_next()
    {
        var (connection, output, time) = Setup();
        using var flusher = new MailOutputFlusher(connection, WriteTimeout, time, NullLogger.Instance, CancellationToken.None);

        output.Write(new byte[100]);
        var flush = flusher.FlushAsync(output).AsTask();
        time.Advance(TimeSpan.FromMinutes(1));
        await connection.ReadAllAsync();
        await flush.WaitAsync(TimeSpan.FromSeconds(10));

        // A later wait gets the whole write timeout again, counted from its own start.
        time.Advance(TimeSpan.FromMinutes(1.5));
        output.Write(new byte[100]);
        var next = flusher.FlushAsync(output).AsTask();
        time.Advance(TimeSpan.FromMinutes(1.5));
        next.IsCompleted.Should().BeFalse();
        await connection.ReadAllAsync();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        connection.Aborted.Should().BeFalse();
    }

    [Fact]
    public async Task A_waiting_flush_gets_a_short_grace_when_the_host_stops_then_the_connection_is_aborted()
    {
        var (connection, output, time) = Setup();
        using var stopping = new CancellationTokenSource();
        using var flusher = new MailOutputFlusher(connection, WriteTimeout, time, NullLogger.Instance, stopping.Token);

        output.Write(new byte[100]);
        var flush = flusher.FlushAsync(output).AsTask();
        await stopping.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        flush.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));

        await flush.Invoking(f => f.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<ConnectionAbortedException>();
        connection.Aborted.Should().BeTrue();
    }

    [Fact]
    public void Replies_count_as_full_at_the_flush_threshold()
    {
        var pipe = new Pipe();
        pipe.Writer.Write(new byte[MailOutputFlusher.FlushThreshold - 1]);
        MailOutputFlusher.IsFull(pipe.Writer).Should().BeFalse();
        pipe.Writer.Write(new byte[1]);
        MailOutputFlusher.IsFull(pipe.Writer).Should().BeTrue();
    }

    private static (TestConnection Connection, PipeWriter Output, FakeTimeProvider Time) Setup()
    {
        // The transport pauses its writer past 10 bytes, as Kestrel's does past MaxWriteBufferSize.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 10, resumeWriterThreshold: 5, useSynchronizationContext: false));
        var connection = new TestConnection(pipe);
        return (connection, pipe.Writer, new FakeTimeProvider());
    }

    private sealed class TestConnection(Pipe pipe) : DefaultConnectionContext
    {
        public bool Aborted { get; private set; }

        public override void Abort(ConnectionAbortedException abortReason)
        {
            Aborted = true;
            pipe.Reader.Complete(abortReason);
        }

        /// <summary>The client reads everything sent so far.</summary>
        public async Task ReadAllAsync()
        {
            var result = await pipe.Reader.ReadAsync();
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }
    }
}
