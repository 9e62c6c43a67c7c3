using System.Globalization;
using System.Text;
using MailHost.Authentication;
using MailHost.Storage;

namespace MailHost.Pop3;

/// <summary>The AUTHORIZATION state (RFC 1939 §4, §7; RFC 2449; RFC 2595; RFC 5034; RFC 6856).</summary>
internal sealed partial class Pop3Session
{
    private bool PasswordsAllowed => _passwords.IsAllowed(_info.IsTls);

    private async Task<Maildrop?> AuthorizationAsync()
    {
        string? user = null;
        var first = true;
        while (true)
        {
            await _output.FlushAsync().ConfigureAwait(false);
            var (status, line) = await ReadLineAsync(MaxCommandLine, _info.Endpoint.PreAuthenticationIdleTimeout).ConfigureAwait(false);
            if (await EndOnLineStatusAsync(status).ConfigureAwait(false))
            {
                return null;
            }

            var (verb, argument) = Split(line);
            if (first && IsHttpVerb(verb))
            {
                Pop3Log.Closing(_logger, "HTTP request on a POP3 port");
                return null;
            }

            first = false;
            switch (verb)
            {
                case "CAPA":
                    await CapaAsync().ConfigureAwait(false);
                    break;
                case "QUIT":
                    await ReplyAsync("+OK MailHost POP3 server signing off").ConfigureAwait(false);
                    await _output.FlushAsync().ConfigureAwait(false);
                    return null;
                case "STLS":
                    if (!_tls.CanStartTls)
                    {
                        if (await BadCommandAsync(_info.IsTls ? "-ERR Already using TLS" : "-ERR STLS is not available").ConfigureAwait(false))
                        {
                            return null;
                        }

                        break;
                    }

                    await ReplyAsync("+OK Begin TLS negotiation").ConfigureAwait(false);
                    await _output.FlushAsync().ConfigureAwait(false);
                    if (!await _tls.StartTlsAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        return null;
                    }

                    // RFC 2595 §4: forget everything learned before TLS.
                    _input = _connection.Transport.Input;
                    _output = _connection.Transport.Output;
                    user = null;
                    break;
                case "UTF8":
                    // RFC 6856 §2: UTF-8 user names and passwords are accepted either way; the command only confirms it.
                    await ReplyAsync("+OK UTF8 enabled").ConfigureAwait(false);
                    break;
                case "USER":
                    if (!PasswordsAllowed)
                    {
                        // RFC 2595 §4 / SECURITY.md A4: no credentials in plain text.
                        if (await BadCommandAsync("-ERR [AUTH] Plain-text login is not allowed; use STLS first").ConfigureAwait(false))
                        {
                            return null;
                        }

                        break;
                    }

                    if (argument.Length == 0)
                    {
                        if (await BadCommandAsync("-ERR USER needs a name").ConfigureAwait(false))
                        {
                            return null;
                        }

                        break;
                    }

                    // SECURITY.md D2: the same answer for every name, known or not.
                    user = argument;
                    await ReplyAsync("+OK Send your password").ConfigureAwait(false);
                    break;
                case "PASS":
                    if (user is null)
                    {
                        if (await BadCommandAsync("-ERR Send USER first").ConfigureAwait(false))
                        {
                            return null;
                        }

                        break;
                    }

                    var login = user;
                    user = null;
                    var context = NewAuthenticationContext();
                    var result = await _passwords.AuthenticateAsync(login, argument, context, CancellationToken.None).ConfigureAwait(false);
                    var drop = await CompleteLoginAsync(result, context).ConfigureAwait(false);
                    if (drop.Maildrop is not null || drop.Close)
                    {
                        return drop.Maildrop;
                    }

                    break;
                case "AUTH":
                    var auth = await AuthAsync(argument).ConfigureAwait(false);
                    if (auth.Maildrop is not null || auth.Close)
                    {
                        return auth.Maildrop;
                    }

                    break;
                case "APOP":
                    // APOP needs the plain password on the server, which MailHost never keeps.
                    if (await BadCommandAsync("-ERR APOP is not supported; use USER/PASS or AUTH over TLS").ConfigureAwait(false))
                    {
                        return null;
                    }

                    break;
                default:
                    if (await BadCommandAsync(verb is "STAT" or "LIST" or "RETR" or "DELE" or "NOOP" or "RSET" or "TOP" or "UIDL"
                        ? "-ERR Log in first"
                        : "-ERR Unknown command").ConfigureAwait(false))
                    {
                        return null;
                    }

                    break;
            }
        }
    }

    private AuthenticationContext NewAuthenticationContext()
        => new(AuthenticationContext.Pop3, _info.RemoteEndPoint, _info.IsTls) { ClientName = _info.ClientName };

    private async Task CapaAsync()
    {
        // RFC 2449 §5; STLS and USER only where they can be used, SASL mechanisms as allowed now.
        var lines = new List<string> { "+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "UTF8", "IMPLEMENTATION MailHost" };
        if (PasswordsAllowed)
        {
            lines.Add("USER");
        }

        var mechanisms = _sasl.GetMechanisms(_info.IsTls);
        if (mechanisms.Count > 0)
        {
            lines.Add("SASL " + string.Join(' ', mechanisms));
        }

        if (_tls.CanStartTls)
        {
            lines.Add("STLS");
        }

        lines.Add(".");
        foreach (var line in lines)
        {
            await ReplyAsync(line).ConfigureAwait(false);
        }
    }

    private async Task<(Maildrop? Maildrop, bool Close)> AuthAsync(string argument)
    {
        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            // RFC 1734-style "AUTH" without a mechanism lists the mechanisms (Outlook asks this way).
            await ReplyAsync("+OK Mechanisms follow").ConfigureAwait(false);
            foreach (var name in _sasl.GetMechanisms(_info.IsTls))
            {
                await ReplyAsync(name).ConfigureAwait(false);
            }

            await ReplyAsync(".").ConfigureAwait(false);
            return (null, false);
        }

        var mechanism = parts[0].ToUpperInvariant();
        if (!_sasl.GetMechanisms(_info.IsTls).Contains(mechanism, StringComparer.Ordinal))
        {
            var close = await BadCommandAsync(_info.IsTls || _authOptions.AllowPlaintextAuthentication
                ? "-ERR Unsupported mechanism"
                : "-ERR [AUTH] Authentication is not allowed without TLS; use STLS first").ConfigureAwait(false);
            return (null, close);
        }

        ReadOnlyMemory<byte>? initial = parts.Length > 1 ? Encoding.ASCII.GetBytes(parts[1]) : null;
        var context = NewAuthenticationContext();
        var channel = new Pop3SaslChannel(this);
        var result = await _sasl.AuthenticateAsync(mechanism, initial, channel, context, CancellationToken.None).ConfigureAwait(false);
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
        _info.Account = account;
        var maildropLock = _locks.TryAcquire(account);
        if (maildropLock is null)
        {
            // RFC 3206 §4: [IN-USE] - another POP3 session holds the maildrop.
            await ReplyAsync("-ERR [IN-USE] Mailbox is locked by another POP3 session").ConfigureAwait(false);
            return (null, true);
        }

        var opened = await Maildrop.OpenAsync(_store, account, maildropLock, CancellationToken.None).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            maildropLock.Dispose();
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
            await session._output.FlushAsync(ct).ConfigureAwait(false);
        }

        public async ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct)
        {
            var (status, line) = await session.ReadLineAsync(MaxAuthLine, session._info.Endpoint.PreAuthenticationIdleTimeout, secret: true).ConfigureAwait(false);
            if (status != LineStatus.Line)
            {
                Closed = true;
                await session.EndOnLineStatusAsync(status).ConfigureAwait(false);

                // An empty cancel keeps the authenticator's contract; the session closes after it returns.
                return "*"u8.ToArray();
            }

            return Encoding.ASCII.GetBytes(line);
        }
    }
}
