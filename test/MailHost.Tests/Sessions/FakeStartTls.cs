using System.IO.Pipelines;
using System.Text;
using MailHost.Connections;
using Microsoft.AspNetCore.Connections;

namespace MailHost.Tests.Sessions;

/// <summary>
/// A STARTTLS that needs no certificate: it sends the ready reply and swaps the connection's transport for a new pair
/// of pipes, as a handshake would. It leaves the old input as it is, so a test can see that nothing there is read.
/// </summary>
internal sealed class FakeStartTls(ConnectionContext context, PipeWriter plainOutput) : IMailTlsFeature, IAsyncDisposable
{
    private readonly Pipe _toServer = new();

    public StartTlsOutcome Outcome { get; set; } = StartTlsOutcome.Started;

    public bool CanStartTls => true;

    public async ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady, CancellationToken cancellationToken)
    {
        if (Outcome != StartTlsOutcome.Started)
        {
            return Outcome;
        }

        await sendReady();
        context.Transport = new DuplexPipe(_toServer.Reader, plainOutput);
        return Outcome;
    }

    /// <summary>The client writes inside the new session.</summary>
    public async Task ClientSendsAsync(string text) => await _toServer.Writer.WriteAsync(Encoding.ASCII.GetBytes(text));

    public async ValueTask DisposeAsync() => await _toServer.Writer.CompleteAsync();
}
