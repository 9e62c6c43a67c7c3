using System.Text;
using MailHost.Connections;
using MailHost.Logins;
using MailHost.Protocols.Smtp;
using MailHost.Sessions;

namespace MailHost.Smtp;

/// <summary>EHLO/HELO (RFC 5321 §4.1.1.1), STARTTLS (RFC 3207) and AUTH (RFC 4954).</summary>
internal sealed partial class SmtpSession
{
    private const SmtpExtensions AlwaysOffered = SmtpExtensions.Pipelining | SmtpExtensions.EightBitMime | SmtpExtensions.SmtpUtf8
        | SmtpExtensions.Size | SmtpExtensions.EnhancedStatusCodes | SmtpExtensions.Dsn | SmtpExtensions.Chunking | SmtpExtensions.BinaryMime;

    private static readonly SmtpReply StartTlsFirst = new(530, "5.7.0", "Must issue a STARTTLS command first");

    private async ValueTask<bool> HelloAsync(string identity, SmtpIdentityKind kind, bool extended)
    {
        // RFC 5321 §4.1.4: EHLO/HELO in a transaction aborts it.
        await ResetTransactionAsync().ConfigureAwait(false);
        if (await FilterHeloAsync(identity).ConfigureAwait(false) is { } refused)
        {
            // The client stays unidentified: it may try again, or go.
            _clientIdentity = null;
            return await ErrorAsync(refused).ConfigureAwait(false);
        }

        _clientIdentity = identity;
        _clientIdentityKind = kind;
        _extended = extended;
        Info.ClientName = identity;
        if (!extended)
        {
            // RFC 2034 §3: no enhanced status code on the HELO reply.
            await WriteLineAsync("250 " + _services.Hostname).ConfigureAwait(false);
            return false;
        }

        var offered = AlwaysOffered;
        if (_connection.Tls.CanStartTls)
        {
            offered |= SmtpExtensions.StartTls;
        }

        // SECURITY A4: the mechanisms are listed only where they may be used (inside TLS unless allowed otherwise).
        IReadOnlyList<string> mechanisms = [];
        if (_isSubmission && _account is null)
        {
            mechanisms = _services.Sasl.GetMechanisms(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication);
            offered |= SmtpExtensions.Auth;
        }

        SmtpReplyWriter.WriteEhlo(_replyBuffer, _services.Hostname, null, offered, MaxMessageSize, mechanisms);
        await WriteBufferedReplyAsync().ConfigureAwait(false);
        return false;
    }

    private async ValueTask<bool> StartTlsAsync()
    {
        if (Info.IsTls)
        {
            // SECURITY A3: a second STARTTLS.
            return await ErrorAsync(new SmtpReply(503, "5.5.1", "TLS is already active")).ConfigureAwait(false);
        }

        if (!_connection.Tls.CanStartTls)
        {
            return await ErrorAsync(new SmtpReply(502, "5.5.1", "STARTTLS is not available")).ConfigureAwait(false);
        }

        if (_account is not null)
        {
            // SECURITY A3: an identity from before TLS must not carry into it.
            return await ErrorAsync(new SmtpReply(503, "5.5.1", "Already authenticated")).ConfigureAwait(false);
        }

        // The feature discards every byte that followed the STARTTLS line (SECURITY A1), then the 220 goes out.
        // SECURITY A6: the first command inside TLS is checked for HTTP too.
        var started = await _connection.StartTlsAsync(
            async () =>
            {
                await ReplyAsync(new SmtpReply(220, "2.0.0", "Ready to start TLS")).ConfigureAwait(false);
                await FlushAsync().ConfigureAwait(false);
            },
            checkHttpAgain: true).ConfigureAwait(false);
        if (started == StartTlsOutcome.Unavailable)
        {
            // RFC 3207 §4: "454 TLS not available due to temporary reason"; the session goes on in plain text. The
            // condition is the server's, so it does not count against the client's error limit.
            await ReplyAsync(new SmtpReply(454, "4.7.0", "TLS not available due to temporary reason")).ConfigureAwait(false);
            return false;
        }

        if (started == StartTlsOutcome.Failed)
        {
            SmtpLog.Closing(_logger, "TLS handshake failed");
            return true;
        }

        // RFC 3207 §4.2: "discard any knowledge obtained from the client", so EHLO is needed again.
        _parser.Reset();
        _clientIdentity = null;
        _extended = false;
        Info.ClientName = null;
        await ResetTransactionAsync().ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether credentials may be sent now: inside TLS, or where the endpoint (or else the server) allows plain text.</summary>
    private bool CredentialsAllowed => _services.Sasl.IsAllowed(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication);

    private async ValueTask<bool> AuthAsync(AuthCommand command)
    {
        if (!_isSubmission)
        {
            return await ErrorAsync(new SmtpReply(502, "5.5.1", "Authentication is offered on the submission port")).ConfigureAwait(false);
        }

        if (_account is not null)
        {
            // RFC 4954 §4: "After a successful AUTH command completes, a server MUST reject any further AUTH commands".
            return await ErrorAsync(new SmtpReply(503, "5.5.1", "Already authenticated")).ConfigureAwait(false);
        }

        if (!CredentialsAllowed)
        {
            return await ErrorAsync(StartTlsFirst).ConfigureAwait(false);
        }

        if (!_services.Sasl.GetMechanisms(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication).Contains(command.Mechanism, StringComparer.OrdinalIgnoreCase))
        {
            // A bearer token mechanism is offered inside TLS only, even where passwords may go in plain text.
            return await ErrorAsync(!Info.IsTls && _services.Sasl.GetMechanisms(isTls: true).Contains(command.Mechanism, StringComparer.OrdinalIgnoreCase)
                ? StartTlsFirst
                : new SmtpReply(504, "5.5.4", "Unrecognized authentication type")).ConfigureAwait(false);
        }

        ReadOnlyMemory<byte>? initial = command.InitialResponse is null ? null : Encoding.ASCII.GetBytes(command.InitialResponse);
        var context = new AuthenticationContext(AuthenticationContext.Smtp, Info.RemoteEndPoint, Info.IsTls)
        {
            ClientName = _clientIdentity,
            AllowPlaintextAuthentication = Info.Endpoint.AllowPlaintextAuthentication,
        };
        var channel = new SmtpSaslChannel(this);
        var result = await _services.Sasl.AuthenticateAsync(command.Mechanism, initial, channel, context, CancellationToken.None).ConfigureAwait(false);
        if (channel.Closed)
        {
            return true;
        }

        if (channel.LineError is { } lineError)
        {
            return await ErrorAsync(lineError).ConfigureAwait(false);
        }

        if (result.Succeeded)
        {
            _account = result.Account.Name;
            Info.Account = _account;

            // The session time limit is for sessions nobody vouches for; the host stopping still ends this one.
            _connection.LiftSessionTimeLimit();
            SmtpLog.LoggedIn(_logger, _account, context.Mechanism ?? command.Mechanism);
            await ReplyAsync(new SmtpReply(235, "2.7.0", "Authentication successful")).ConfigureAwait(false);
            return false;
        }

        SmtpLog.LoginFailed(_logger, result.Status.ToString());
        var reply = result.Status switch
        {
            // RFC 4954 §4 and §6.
            AuthenticationStatus.Cancelled => new SmtpReply(501, "5.7.0", "Authentication cancelled"),
            AuthenticationStatus.Malformed => new SmtpReply(501, "5.5.2", "Cannot decode the authentication response"),
            AuthenticationStatus.TooLong => SmtpReplies.AuthLineTooLong,
            AuthenticationStatus.Throttled or AuthenticationStatus.TemporaryFailure => new SmtpReply(454, "4.7.0", "Temporary authentication failure, try again later"),
            AuthenticationStatus.MechanismNotSupported => new SmtpReply(504, "5.5.4", "Unrecognized authentication type"),
            AuthenticationStatus.EncryptionRequired => StartTlsFirst,
            _ => new SmtpReply(535, "5.7.8", "Authentication credentials invalid"),
        };
        await ReplyAsync(reply).ConfigureAwait(false);
        if (_failures.Record(result))
        {
            await ReplyAsync(new SmtpReply(421, "4.7.0", "Too many failed authentications, closing connection")).ConfigureAwait(false);
            SmtpLog.Closing(_logger, "too many failed logins");
            return true;
        }

        return false;
    }

    /// <summary>RFC 4954 §4: challenges are <c>334 base64</c>; each response is one line.</summary>
    private sealed class SmtpSaslChannel(SmtpSession session) : ISaslChallengeChannel
    {
        /// <summary>The connection closed or timed out during the exchange.</summary>
        public bool Closed { get; private set; }

        /// <summary>A response line the parser refused (too long, bad characters): the reply to send.</summary>
        public SmtpReply? LineError { get; private set; }

        public async ValueTask SendChallengeAsync(ReadOnlyMemory<byte> base64Challenge, CancellationToken ct)
        {
            // RFC 2034 §3: 3xx replies carry no enhanced status code.
            await session.WriteLineAsync("334 " + Encoding.ASCII.GetString(base64Challenge.Span)).ConfigureAwait(false);
            await session.FlushAsync().ConfigureAwait(false);
        }

        public async ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct)
        {
            // One deadline for the whole response line, as for a command.
            using var deadline = session._connection.StartDeadline(session.CommandTimeout);
            while (true)
            {
                var (status, result) = await session._connection.ReadAsync(deadline.Token).ConfigureAwait(false);
                if (status != MailReadStatus.Ready)
                {
                    await session.EndWaitAsync(status, MailHostMetrics.CommandReason, "timeout during AUTH").ConfigureAwait(false);
                    await session.FlushAsync().ConfigureAwait(false);
                    Closed = true;
                    return "*"u8.ToArray();
                }

                var buffer = result.Buffer;
                var parsed = session._parser.TryParseAuthResponse(buffer, out var consumed, out var response, out var error);
                if (parsed != SmtpParseStatus.Incomplete)
                {
                    session._connection.Trace.ReceivedRedacted(Protocols.Text.ProtocolTraceRedactor.RedactedMarker);
                    session._connection.Input.AdvanceTo(consumed);
                    if (error is not null)
                    {
                        // The exchange ends as cancelled; the session answers with the parser's reply instead.
                        LineError = error;
                        return "*"u8.ToArray();
                    }

                    return Encoding.ASCII.GetBytes(response!);
                }

                if (!session._connection.ContinueAfterIncomplete(result, consumed))
                {
                    Closed = true;
                    return "*"u8.ToArray();
                }
            }
        }
    }
}
