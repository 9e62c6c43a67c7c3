using System.Buffers;
using System.Text;
using MailHost.Authentication;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Protocols.Sasl;

namespace MailHost.Imap;

/// <summary>The not-authenticated state (RFC 9051 §6.2), capabilities, ID (RFC 2971) and ENABLE (RFC 5161).</summary>
internal sealed partial class ImapSession
{
    private bool _rev2;
    private bool _utf8;

    private bool PasswordsAllowed => _passwords.IsAllowed(_info.IsTls, _info.Endpoint.AllowPlaintextAuthentication);

    /// <summary>
    /// The capabilities for the current TLS and login state (RFC 9051 §6.1.1, §6.2.1): STARTTLS only where it can be
    /// used; LOGINDISABLED and no AUTH= on a plain connection unless the operator allows plain-text authentication.
    /// </summary>
    private List<string> Capabilities()
    {
        var list = new List<string> { "IMAP4rev1", "IMAP4rev2" };
        if (_state == ImapState.NotAuthenticated)
        {
            if (_tls.CanStartTls)
            {
                list.Add("STARTTLS");
            }

            if (!PasswordsAllowed)
            {
                list.Add("LOGINDISABLED");
            }

            foreach (var mechanism in _sasl.GetMechanisms(_info.IsTls, _info.Endpoint.AllowPlaintextAuthentication))
            {
                list.Add("AUTH=" + mechanism);
            }

            list.Add("SASL-IR");
        }

        list.AddRange(Extensions);
        return list;
    }

    private Task IdAsync(IdCommand command)
    {
        // RFC 2971 §3.1: the client's name feeds the log scope and the login history.
        var name = command.Parameters?.FirstOrDefault(p => string.Equals(p.Key, "name", StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(name))
        {
            var clean = new string([.. name.Where(c => !char.IsControl(c)).Take(64)]).Trim();
            if (clean.Length > 0)
            {
                _info.ClientName = clean;
                ImapLog.ClientIdentified(_logger, clean);
            }
        }

        _writer.WriteRaw("* ID (\"name\" \"MailHost\" \"vendor\" \"MailHost\")\r\n"u8);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "ID completed");
        return Task.CompletedTask;
    }

    private async Task StartTlsAsync(StartTlsCommand command)
    {
        if (!_tls.CanStartTls)
        {
            // RFC 9051 §6.2.1; SECURITY A3: never a second STARTTLS.
            // Valid syntax: the refusal does not count toward closing the session.
            _writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, null, _info.IsTls ? "TLS is already active" : "STARTTLS is not available");
            return;
        }

        var started = await _tls.StartTlsAsync(
            async () =>
            {
                _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "Begin TLS negotiation now");
                await _output.FlushAsync().ConfigureAwait(false);
            },
            CancellationToken.None).ConfigureAwait(false);
        if (started == StartTlsOutcome.Unavailable)
        {
            // RFC 5530 §3: a temporary failure; the session goes on in plain text.
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "UNAVAILABLE", "TLS is not available right now, try again later");
            return;
        }

        if (started == StartTlsOutcome.Failed)
        {
            ImapLog.Closing(_logger, "TLS handshake failed");
            _state = ImapState.Logout;
            return;
        }

        // SECURITY A1: bytes sent before the handshake were dropped by the transport; forget the parser's state too.
        _connection.RestartAfterTls(checkHttpAgain: false);
        _input = _connection.Input;
        _output = new ImapOutput(_connection.Output, _trace, _flusher);
        _writer = new ImapResponseWriter(_output) { Utf8Enabled = _utf8 };
        _parser.Reset();
    }

    private AuthenticationContext NewAuthenticationContext()
        => new(AuthenticationContext.Imap, _info.RemoteEndPoint, _info.IsTls)
        {
            ClientName = _info.ClientName,
            AllowPlaintextAuthentication = _info.Endpoint.AllowPlaintextAuthentication,
        };

    private async Task LoginAsync(LoginCommand command)
    {
        if (!PasswordsAllowed)
        {
            // RFC 9051 §6.2.3 and LOGINDISABLED; SECURITY A4.
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "PRIVACYREQUIRED", "Plain-text login is not allowed; use STARTTLS first");
            return;
        }

        var context = NewAuthenticationContext();
        var result = await _passwords.AuthenticateAsync(command.UserName, command.Password, context, _stopping).ConfigureAwait(false);
        await CompleteLoginAsync(command.Tag, result, context).ConfigureAwait(false);
    }

    private async Task AuthenticateAsync(AuthenticateCommand command)
    {
        var mechanisms = _sasl.GetMechanisms(_info.IsTls, _info.Endpoint.AllowPlaintextAuthentication);
        var mechanism = mechanisms.FirstOrDefault(m => string.Equals(m, command.Mechanism, StringComparison.OrdinalIgnoreCase));
        if (mechanism is null)
        {
            if (!_info.IsTls && SaslMechanismNames.All.Contains(command.Mechanism.ToUpperInvariant()))
            {
                _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "PRIVACYREQUIRED", "Authentication is not allowed without TLS; use STARTTLS first");
            }
            else
            {
                _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "CANNOT", "Unsupported authentication mechanism");
            }

            return;
        }

        ReadOnlyMemory<byte>? initial = command.InitialResponse is null ? null : Encoding.ASCII.GetBytes(command.InitialResponse);
        var context = NewAuthenticationContext();
        var channel = new ImapSaslChannel(this, command.Tag);
        var result = await _sasl.AuthenticateAsync(mechanism, initial, channel, context, _stopping).ConfigureAwait(false);
        if (channel.Failed)
        {
            // The channel already answered (a malformed line) or the connection is gone.
            if (channel.Close)
            {
                _state = ImapState.Logout;
            }

            return;
        }

        await CompleteLoginAsync(command.Tag, result, context).ConfigureAwait(false);
    }

    private async Task CompleteLoginAsync(string tag, AuthenticationResult result, AuthenticationContext context)
    {
        if (!result.Succeeded)
        {
            ImapLog.LoginFailed(_logger, result.Status.ToString());

            // RFC 9051 §6.2.2: a cancelled or undecodable exchange is BAD; refused credentials are NO (RFC 5530 codes).
            var (status, code) = result.Status switch
            {
                AuthenticationStatus.Cancelled or AuthenticationStatus.Malformed or AuthenticationStatus.TooLong => (ImapResponseStatus.Bad, (string?)null),
                AuthenticationStatus.EncryptionRequired => (ImapResponseStatus.No, "PRIVACYREQUIRED"),
                AuthenticationStatus.AuthorizationDenied => (ImapResponseStatus.No, "AUTHORIZATIONFAILED"),
                AuthenticationStatus.MechanismNotSupported => (ImapResponseStatus.No, "CANNOT"),
                AuthenticationStatus.Throttled => (ImapResponseStatus.No, "UNAVAILABLE"),
                _ => (ImapResponseStatus.No, "AUTHENTICATIONFAILED"),
            };
            _writer.WriteTagged(tag, status, code, result.Message);
            if (_failures.Record(result))
            {
                _writer.WriteUntagged(ImapResponseStatus.Bye, null, "Too many failed logins");
                ImapLog.Closing(_logger, "too many failed logins");
                _state = ImapState.Logout;
            }

            return;
        }

        var opened = await _store.OpenAccountAsync(result.Account.Name, _stopping).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            ImapLog.AccountFailed(_logger, result.Account.Name, opened.Error.Message);
            _writer.WriteTagged(tag, ImapResponseStatus.No, "UNAVAILABLE", "Mail store unavailable, try again later");
            return;
        }

        _account = opened.Value;
        _info.Account = result.Account.Name;
        _state = ImapState.Authenticated;
        _parser.IsAuthenticated = true;
        _connection.ForgiveBadCommands();
        ImapLog.LoggedIn(_logger, result.Account.Name, context.Mechanism ?? "?");

        // RFC 9051 §6.2.2: the capabilities may change at login, so the OK carries them.
        _writer.WriteTagged(tag, ImapResponseStatus.Ok, CapabilityCode(), "Logged in");
    }

    private Task EnableAsync(EnableCommand command)
    {
        // RFC 5161 §3.1: unknown names are ignored; ENABLED lists only what this command turned on.
        var enabled = new List<string>();
        foreach (var name in command.Capabilities)
        {
            var upper = name.ToUpperInvariant();
            switch (upper)
            {
                case "IMAP4REV2" when !_rev2:
                    _rev2 = true;
                    EnableUtf8();
                    enabled.Add("IMAP4rev2");
                    break;
                case "UTF8=ACCEPT" when !_utf8 && Extensions.Contains("UTF8=ACCEPT"):
                    EnableUtf8();
                    enabled.Add("UTF8=ACCEPT");
                    break;
                case "CONDSTORE" when !_condstore && Extensions.Contains("CONDSTORE"):
                    EnableCondstore();
                    enabled.Add("CONDSTORE");
                    break;
                case "QRESYNC" when !_qresync && Extensions.Contains("QRESYNC"):
                    // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                    _qresync = true;
                    EnableCondstore();
                    enabled.Add("QRESYNC");
                    break;
            }
        }

        _writer.WriteEnabled(enabled);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "ENABLE completed");
        return Task.CompletedTask;
    }

    private void EnableUtf8()
    {
        // RFC 9051 §5.1 / RFC 6855 §3: mailbox names in UTF-8 both ways.
        _utf8 = true;
        _parser.Utf8Enabled = true;
        _writer.Utf8Enabled = true;
    }

    /// <summary>RFC 9051 §6.2.2: challenges are <c>+ base64</c>; each client answer is one line, <c>*</c> cancels.</summary>
    private sealed class ImapSaslChannel(ImapSession session, string tag) : ISaslChallengeChannel
    {
        private readonly byte[] _line = new byte[SaslWireFormat.MaxResponseLength];

        public bool Failed { get; private set; }

        public bool Close { get; private set; }

        public async ValueTask SendChallengeAsync(ReadOnlyMemory<byte> base64Challenge, CancellationToken ct)
        {
            session._writer.WriteRaw("+ "u8);
            session._writer.WriteRaw(base64Challenge.Span);
            session._writer.WriteCrlf();
            await session._output.FlushAsync().ConfigureAwait(false);
        }

        public async ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct)
        {
            using var timeout = new CancellationTokenSource(session._info.Endpoint.PreAuthenticationIdleTimeout, session._timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct);
            while (true)
            {
                System.IO.Pipelines.ReadResult result;
                try
                {
                    result = await session.ReadAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (linked.IsCancellationRequested)
                {
                    session._writer.WriteUntagged(ImapResponseStatus.Bye, null, "Autologout; idle for too long");
                    return Fail(close: true);
                }

                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                var status = ImapCommandParser.TryParseAuthenticateResponse(ref reader, tag, _line, out int written, out var error);
                session._input.AdvanceTo(reader.Position, status == ImapParseStatus.Incomplete ? buffer.End : reader.Position);
                session._examinedAll = status == ImapParseStatus.Incomplete;
                switch (status)
                {
                    case ImapParseStatus.Complete:
                        session._trace.ReceivedRedacted(Protocols.Text.ProtocolTraceRedactor.RedactedMarker);
                        return _line.AsMemory(0, written);
                    case ImapParseStatus.Error:
                        session._writer.WriteError(error!);
                        return Fail(error!.Resync == ImapResync.Close);
                    default:
                        if (result.IsCompleted)
                        {
                            return Fail(close: true);
                        }

                        break;
                }
            }
        }

        private ReadOnlyMemory<byte> Fail(bool close)
        {
            Failed = true;
            Close = close;

            // A cancel keeps the authenticator's contract; the session has answered already.
            return "*"u8.ToArray();
        }
    }
}
