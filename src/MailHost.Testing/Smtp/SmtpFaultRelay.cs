using System.Globalization;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailHost.Testing.Smtp;

/// <summary>
/// Relays one SMTP conversation between the client and MailHost's session one command at a time, applying the armed
/// <see cref="SmtpFaults"/> and recording accepted messages. Because every command waits for its reply before the
/// next is read, an injected reply always lands in its place among the server's replies, also when the client
/// pipelines (RFC 2920). The invariant: outside message data, each client line gets exactly one reply (RFC 5321
/// §4.2: a reply may span lines, the last one has a space after the code), including SASL responses (334, RFC 4954).
/// </summary>
internal sealed class SmtpFaultRelay : IAsyncDisposable
{
    private static readonly byte[] DataTerminator = ".\r\n"u8.ToArray();
    private readonly SmtpFaults _faults;
    private readonly SmtpTransactionRecorder _recorder;
    private readonly X509Certificate2 _certificate;
    private readonly List<SslStream> _tlsStreams = [];
    private SmtpPipeEnd _client;
    private SmtpPipeEnd _server;

    public SmtpFaultRelay(SmtpPipeEnd client, SmtpPipeEnd server, SmtpFaults faults, SmtpTransactionRecorder recorder, X509Certificate2 certificate)
    {
        _client = client;
        _server = server;
        _faults = faults;
        _recorder = recorder;
        _certificate = certificate;
    }

    /// <summary>Whether a fault asked for the connection to be closed abruptly.</summary>
    public bool DropRequested { get; private set; }

    /// <summary>
    /// Relays until the client or the session finishes, or a fault ends the connection. Reads from the client stop
    /// when <paramref name="clientReads"/> is cancelled (the session has ended); replies are always relayed whole.
    /// </summary>
    public async Task RunAsync(bool implicitTls, CancellationToken clientReads)
    {
        if (implicitTls)
        {
            // The fault "TLS on the plain port": nothing is relayed until a TLS handshake completes, so a plain-text
            // client waits for a greeting that never comes (RFC 8314 §3.3: the client speaks first on such ports).
            _client = await AcceptTlsAsync(_client, clientReads).ConfigureAwait(false);
        }

        var lastReply = await RelayReplyAsync().ConfigureAwait(false);
        while (lastReply is not null)
        {
            var line = await _client.ReadLineAsync(clientReads).ConfigureAwait(false);
            if (line is null)
            {
                return;
            }

            if (lastReply == 334)
            {
                // A SASL response (RFC 4954 §4), not a command: faults never match it.
                await _server.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
                lastReply = await RelayReplyAsync().ConfigureAwait(false);
                continue;
            }

            lastReply = await RelayCommandAsync(line, clientReads).ConfigureAwait(false);
        }
    }

    /// <summary>Copies whatever the session wrote after the relay stopped (an unsolicited 421) to the client.</summary>
    public async Task FlushServerOutputAsync()
    {
        while (_server.Input.TryRead(out var result))
        {
            foreach (var segment in result.Buffer)
            {
                await _client.Output.WriteAsync(segment, CancellationToken.None).ConfigureAwait(false);
            }

            _server.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.Buffer.IsEmpty)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tls in _tlsStreams)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <returns>The reply code the client saw, or <see langword="null"/> when the conversation is over.</returns>
    private async Task<int?> RelayCommandAsync(byte[] line, CancellationToken clientReads)
    {
        var text = SmtpTransactionRecorder.Decode(line);
        var verb = VerbOf(text);
        var fault = _faults.TakeCommandFault(verb);
        if (fault is { DropsConnection: true })
        {
            DropRequested = true;
            return null;
        }

        if (verb == "BDAT")
        {
            return await RelayChunkAsync(text, line, fault, clientReads).ConfigureAwait(false);
        }

        if (fault is not null)
        {
            return await InjectReplyAsync(fault).ConfigureAwait(false);
        }

        await _server.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
        var reply = await RelayReplyAsync().ConfigureAwait(false);
        if (reply is not { } code)
        {
            return null;
        }

        _recorder.OnCommandReply(verb, text, code);
        if (verb == "DATA" && code == 354)
        {
            return await RelayDataAsync(clientReads).ConfigureAwait(false);
        }

        if (verb == "STARTTLS" && code == 220)
        {
            // RFC 3207 §4.2: both sides now start TLS. The layer ends the client's TLS with the test certificate and
            // opens its own TLS session to MailHost, so it keeps seeing the commands.
            var (client, server) = await StartTlsAsync(clientReads).ConfigureAwait(false);
            _client = client;
            _server = server;
        }

        return code;
    }

    /// <summary>Relays message data line by line to the final dot (RFC 5321 §4.1.1.4), then the reply to it.</summary>
    private async Task<int?> RelayDataAsync(CancellationToken clientReads)
    {
        while (true)
        {
            var line = await _client.ReadLineAsync(clientReads).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }

            if (line.AsSpan().SequenceEqual(DataTerminator))
            {
                await DelayIfArmedAsync(clientReads).ConfigureAwait(false);
                await _server.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
                var reply = await RelayReplyAsync().ConfigureAwait(false);
                _recorder.OnMessageEnd(reply ?? 0);
                return reply;
            }

            // RFC 5321 §4.5.2: a leading dot of a data line was doubled by the client.
            _recorder.OnContent(line.AsSpan(line.Length > 1 && line[0] == '.' ? 1 : 0));
            await _server.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Relays <c>BDAT size [LAST]</c> and its chunk (RFC 3030 §2); a faulted chunk is read and thrown away, since
    /// the client sends it without waiting for a reply.
    /// </summary>
    private async Task<int?> RelayChunkAsync(string text, byte[] line, SmtpCommandFault? fault, CancellationToken clientReads)
    {
        var arguments = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (arguments.Length < 2 || !long.TryParse(arguments[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            // Not a chunk the relay can measure: the server answers it (with an error) like any command.
            await _server.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            return await RelayReplyAsync().ConfigureAwait(false);
        }

        var chunk = await _client.ReadExactlyAsync(size, clientReads).ConfigureAwait(false);
        if (chunk is null)
        {
            return null;
        }

        if (fault is not null)
        {
            return await InjectReplyAsync(fault).ConfigureAwait(false);
        }

        var last = arguments.Length > 2 && arguments[2].Equals("LAST", StringComparison.OrdinalIgnoreCase);
        if (last)
        {
            await DelayIfArmedAsync(clientReads).ConfigureAwait(false);
        }

        _recorder.OnContent(chunk);
        await _server.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
        await _server.WriteAsync(chunk, CancellationToken.None).ConfigureAwait(false);
        var reply = await RelayReplyAsync().ConfigureAwait(false);
        if (last || reply is not (>= 200 and < 300))
        {
            _recorder.OnMessageEnd(reply ?? 0);
        }

        return reply;
    }

    private async Task DelayIfArmedAsync(CancellationToken cancellationToken)
    {
        var delay = _faults.TakeDataDelay();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int?> InjectReplyAsync(SmtpCommandFault fault)
    {
        var reply = Encoding.ASCII.GetBytes($"{fault.ReplyCode} {fault.Text}\r\n");
        await _client.WriteAsync(reply, CancellationToken.None).ConfigureAwait(false);

        // RFC 5321 §3.8: after a 421 the server closes the channel.
        return fault.ReplyCode == 421 ? null : fault.ReplyCode;
    }

    /// <summary>Copies one whole reply from the session to the client.</summary>
    /// <returns>Its code, or <see langword="null"/> when the session has finished.</returns>
    private async Task<int?> RelayReplyAsync()
    {
        while (true)
        {
            var line = await _server.ReadLineAsync(CancellationToken.None).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }

            await _client.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);

            // RFC 5321 §4.2.1: every line but the last has a hyphen after the code.
            if (line.Length < 4 || line[3] != '-')
            {
                return line.Length >= 3 && int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
            }
        }
    }

    private async Task<(SmtpPipeEnd Client, SmtpPipeEnd Server)> StartTlsAsync(CancellationToken cancellationToken)
    {
        var serverTls = new SslStream(new DuplexPipeStream(_server.Input, _server.Output), leaveInnerStreamOpen: false);
        _tlsStreams.Add(serverTls);
        var toServer = serverTls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificateTrust.IsSame(_certificate, certificate),
            },
            cancellationToken);
        var client = await AcceptTlsAsync(_client, cancellationToken).ConfigureAwait(false);
        await toServer.ConfigureAwait(false);
        return (client, new SmtpPipeEnd(PipeReader.Create(serverTls), PipeWriter.Create(serverTls)));
    }

    private async Task<SmtpPipeEnd> AcceptTlsAsync(SmtpPipeEnd plain, CancellationToken cancellationToken)
    {
        var tls = new SslStream(new DuplexPipeStream(plain.Input, plain.Output), leaveInnerStreamOpen: false);
        _tlsStreams.Add(tls);
        await tls.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            },
            cancellationToken).ConfigureAwait(false);
        return new SmtpPipeEnd(PipeReader.Create(tls), PipeWriter.Create(tls));
    }

    private static string VerbOf(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return (space < 0 ? line : line[..space]).ToUpperInvariant();
    }
}
