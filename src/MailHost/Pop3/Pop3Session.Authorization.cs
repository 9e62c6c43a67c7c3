using System.Globalization;
using System.Text;
using MailHost.Connections;
using MailHost.Logins;
using MailHost.Protocols.Pop3;
using MailHost.Sessions;
using MailHost.Storage;

namespace MailHost.Pop3;

/// <summary>The AUTHORIZATION state (RFC 1939 §4, §7; RFC 2449; RFC 2595; RFC 5034; RFC 6856).</summary>
internal sealed partial class Pop3Session
{
    private bool PasswordsAllowed => _services.Passwords.IsAllowed(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication);

    private async Task<Maildrop?> AuthorizationAsync()
    {
        string? user = null;
        while (true)
        {
            await FlushAsync().ConfigureAwait(false);
            var (status, command, error) = await ReadCommandAsync(Info.Endpoint.PreAuthenticationIdleTimeout).ConfigureAwait(false);
            if (await EndOnReadStatusAsync(status).ConfigureAwait(false))
            {
                return null;
            }

            if (_connection.IsHttpFirstCommand(command is HttpRequestCommand))
            {
                // ALPACA (SECURITY.md A6): a browser or a cross-protocol attack; never answer it.
                Pop3Log.Closing(_logger, "HTTP request on a POP3 port");
                return null;
            }

            if (command is null)
            {
                if (await BadCommandAsync(error!).ConfigureAwait(false))
                {
                    return null;
                }

                continue;
            }

            (Maildrop? Maildrop, bool Close) outcome = (null, false);
            switch (command)
            {
                case CapaCommand:
                    await CapaAsync().ConfigureAwait(false);
                    break;
                case QuitCommand:
                    await ReplyAsync("+OK MailHost POP3 server signing off").ConfigureAwait(false);
                    await FlushAsync().ConfigureAwait(false);
                    return null;
                case StlsCommand:
                    if (!_connection.Tls.CanStartTls)
                    {
                        outcome.Close = await BadCommandAsync(Info.IsTls ? "-ERR Already using TLS" : "-ERR STLS is not available").ConfigureAwait(false);
                        break;
                    }

                    var started = await _connection.StartTlsAsync(
                        async () =>
                        {
                            await ReplyAsync("+OK Begin TLS negotiation").ConfigureAwait(false);
                            await FlushAsync().ConfigureAwait(false);
                        },
                        checkHttpAgain: false).ConfigureAwait(false);
                    if (started == StartTlsOutcome.Unavailable)
                    {
                        // RFC 3206 §4: a temporary condition; the session goes on in plain text.
                        await ReplyAsync("-ERR [SYS/TEMP] TLS is not available right now, try again later").ConfigureAwait(false);
                        break;
                    }

                    if (started == StartTlsOutcome.Failed)
                    {
                        return null;
                    }

                    // RFC 2595 §4: forget everything learned before TLS.
                    _parser.Reset();
                    user = null;
                    break;
                case Utf8Command:
                    // RFC 6856 §2: UTF-8 user names and passwords are accepted either way; the command only confirms it.
                    await ReplyAsync("+OK UTF8 enabled").ConfigureAwait(false);
                    break;
                case UserCommand userCommand:
                    if (!PasswordsAllowed)
                    {
                        // RFC 2595 §4 / SECURITY.md A4: no credentials in plain text.
                        outcome.Close = await BadCommandAsync("-ERR [AUTH] Plain-text login is not allowed; use STLS first").ConfigureAwait(false);
                        break;
                    }

                    // SECURITY.md D2: the same answer for every name, known or not.
                    user = userCommand.Name;
                    await ReplyAsync("+OK Send your password").ConfigureAwait(false);
                    break;
                case PassCommand pass:
                    if (user is null)
                    {
                        outcome.Close = await BadCommandAsync("-ERR Send USER first").ConfigureAwait(false);
                        break;
                    }

                    var login = user;
                    user = null;
                    var context = NewAuthenticationContext();
                    var result = await _services.Passwords.AuthenticateAsync(login, pass.Password, context, CancellationToken.None).ConfigureAwait(false);
                    outcome = await CompleteLoginAsync(result, context).ConfigureAwait(false);
                    break;
                case AuthCommand auth:
                    outcome = await AuthAsync(auth).ConfigureAwait(false);
                    break;
                case ApopCommand:
                    // APOP needs the plain password on the server, which MailHost never keeps.
                    outcome.Close = await BadCommandAsync("-ERR APOP is not supported; use USER/PASS or AUTH over TLS").ConfigureAwait(false);
                    break;
                case UnknownCommand or HttpRequestCommand:
                    outcome.Close = await BadCommandAsync("-ERR Unknown command").ConfigureAwait(false);
                    break;
                default:
                    outcome.Close = await BadCommandAsync("-ERR Log in first").ConfigureAwait(false);
                    break;
            }

            if (outcome.Maildrop is not null || outcome.Close)
            {
                return outcome.Maildrop;
            }
        }
    }

    private AuthenticationContext NewAuthenticationContext()
        => new(AuthenticationContext.Pop3, Info.RemoteEndPoint, Info.IsTls)
        {
            ClientName = Info.ClientName,
            AllowPlaintextAuthentication = Info.Endpoint.AllowPlaintextAuthentication,
        };

    private async Task CapaAsync()
    {
        // RFC 2449 §5; STLS and USER only where they can be used, SASL mechanisms as allowed now.
        var lines = new List<string> { "+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "UTF8", "IMPLEMENTATION MailHost" };
        if (PasswordsAllowed)
        {
            lines.Add("USER");
        }

        var mechanisms = _services.Sasl.GetMechanisms(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication);
        if (mechanisms.Count > 0)
        {
            lines.Add("SASL " + string.Join(' ', mechanisms));
        }

        if (_connection.Tls.CanStartTls)
        {
            lines.Add("STLS");
        }

        lines.Add(".");
        foreach (var line in lines)
        {
            await ReplyAsync(line).ConfigureAwait(false);
        }
    }

    private async Task<(Maildrop? Maildrop, bool Close)> AuthAsync(AuthCommand command)
    {
        if (command.Mechanism is null)
        {
            // RFC 1734-style "AUTH" without a mechanism lists the mechanisms (Outlook asks this way).
            await ReplyAsync("+OK Mechanisms follow").ConfigureAwait(false);
            foreach (var name in _services.Sasl.GetMechanisms(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication))
            {
                await ReplyAsync(name).ConfigureAwait(false);
            }

            await ReplyAsync(".").ConfigureAwait(false);
            return (null, false);
        }

        var mechanism = command.Mechanism.ToUpperInvariant();
        if (!_services.Sasl.GetMechanisms(Info.IsTls, Info.Endpoint.AllowPlaintextAuthentication).Contains(mechanism, StringComparer.Ordinal))
        {
            // A mechanism offered inside TLS only (bearer tokens, or all of them where passwords need TLS) asks for STLS.
            var tlsOnly = !Info.IsTls && _services.Sasl.GetMechanisms(isTls: true).Contains(mechanism, StringComparer.Ordinal);
            var close = await BadCommandAsync(PasswordsAllowed && !tlsOnly
                ? "-ERR Unsupported mechanism"
                : "-ERR [AUTH] Authentication is not allowed without TLS; use STLS first").ConfigureAwait(false);
            return (null, close);
        }

        ReadOnlyMemory<byte>? initial = command.InitialResponse is null ? null : Encoding.ASCII.GetBytes(command.InitialResponse);
        var context = NewAuthenticationContext();
        var channel = new Pop3SaslChannel(this);
        var result = await _services.Sasl.AuthenticateAsync(mechanism, initial, channel, context, CancellationToken.None).ConfigureAwait(false);
        if (channel.Closed)
        {
            return (null, true);
        }

        return await CompleteLoginAsync(result, context).ConfigureAwait(false);
    }

    private async Task<(Maildrop? Maildrop, bool Close)> CompleteLoginAsync(AuthenticationResult result, AuthenticationContext context)
    {
        if (!result.Succeeded)
        {
            Pop3Log.LoginFailed(_logger, result.Status.ToString());
            var reply = result.Status switch
            {
                AuthenticationStatus.Cancelled => "-ERR Authentication cancelled",
                AuthenticationStatus.Malformed or AuthenticationStatus.TooLong => "-ERR Malformed authentication response",
                AuthenticationStatus.EncryptionRequired => "-ERR [AUTH] Authentication is not allowed without TLS; use STLS first",

                // RFC 3206 §4: the server's condition, not the credentials.
                AuthenticationStatus.TemporaryFailure => "-ERR [SYS/TEMP] Authentication is not possible right now, try again later",
                _ => "-ERR [AUTH] Authentication failed",
            };
            await ReplyAsync(reply).ConfigureAwait(false);
            if (_failures.Record(result))
            {
                await ReplyAsync("-ERR [AUTH] Too many failed logins, closing").ConfigureAwait(false);
                Pop3Log.Closing(_logger, "too many failed logins");
                return (null, true);
            }

            return (null, false);
        }

        var account = result.Account.Name;
        Info.Account = account;
        _replaceNulBytes = result.Policy?.Pop3ReplaceNulBytes ?? _services.Options.ReplaceNulBytes;
        var maildropLock = await _services.Locks.TryAcquireAsync(account, CancellationToken.None).ConfigureAwait(false);
        if (maildropLock is null)
        {
            // RFC 3206 §4: [IN-USE] - another POP3 session holds the maildrop.
            await ReplyAsync("-ERR [IN-USE] Mailbox is locked by another POP3 session").ConfigureAwait(false);
            return (null, true);
        }

        StoreResult<Maildrop> opened;
        try
        {
            opened = await Maildrop.OpenAsync(_services.Store, account, maildropLock, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            // A store that throws (a database that cannot be reached) ends the session at its error boundary; the lock
            // must not outlive the attempt, or every later login to the account would get [IN-USE] (RFC 3206 §4).
            await maildropLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (!opened.IsSuccess)
        {
            await maildropLock.DisposeAsync().ConfigureAwait(false);
            Pop3Log.MaildropFailed(_logger, account, opened.Error.Message);
            await ReplyAsync("-ERR [SYS/TEMP] Mailbox unavailable, try again later").ConfigureAwait(false);
            return (null, true);
        }

        var maildrop = opened.Value;
        Pop3Log.LoggedIn(_logger, account, context.Mechanism ?? "?", maildrop.Count, maildrop.TotalSize);
        await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK Logged in; {maildrop.Count} messages ({maildrop.TotalSize} octets)")).ConfigureAwait(false);
        return (maildrop, false);
    }

    /// <summary>RFC 5034 §4: challenges are "+ " and base64; responses are one line each.</summary>
    private sealed class Pop3SaslChannel(Pop3Session session) : ISaslChallengeChannel
    {
        public bool Closed { get; private set; }

        public async ValueTask SendChallengeAsync(ReadOnlyMemory<byte> base64Challenge, CancellationToken ct)
        {
            await session.ReplyAsync("+ " + Encoding.ASCII.GetString(base64Challenge.Span)).ConfigureAwait(false);
            await session.FlushAsync().ConfigureAwait(false);
        }

        public async ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct)
        {
            var (status, response, error) = await session.ReadAuthResponseAsync().ConfigureAwait(false);
            if (status != MailReadStatus.Ready || response is null)
            {
                Closed = status != MailReadStatus.Ready;
                if (Closed)
                {
                    await session.EndOnReadStatusAsync(status).ConfigureAwait(false);
                }
                else
                {
                    await session.ReplyAsync(error!).ConfigureAwait(false);
                    Closed = true;
                }

                // A cancel keeps the authenticator's contract; the session closes after it returns.
                return "*"u8.ToArray();
            }

            return Encoding.ASCII.GetBytes(response);
        }
    }
}
