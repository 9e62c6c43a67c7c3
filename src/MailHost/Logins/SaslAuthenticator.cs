using System.Buffers;
using System.Security.Cryptography;
using MailHost.Accounts;
using MailHost.Logins.OAuth;
using MailHost.Protocols.Sasl;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Logins;

/// <summary>
/// Runs one SASL exchange (IMAP AUTHENTICATE, POP3 AUTH, SMTP AUTH) over a session's
/// <see cref="ISaslChallengeChannel"/>, for every mechanism in <see cref="AuthenticationOptions.Mechanisms"/>.
/// Registered as a singleton by <see cref="Microsoft.Extensions.DependencyInjection.AuthenticationServiceCollectionExtensions.AddMailHostAuthentication"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>PLAIN and LOGIN end in a password check with the same rules as <see cref="PasswordAuthenticator"/>.</item>
/// <item>SCRAM-SHA-256 is answered with the account's <see cref="PasswordRecord"/> (its own salt and iteration count),
/// or for an unknown login with a fake record derived from the directory's server secret and the login's lookup key
/// (<see cref="IAuthIdentityResolver.GetLookupKeyAsync"/>), so both exchanges look alike, spelling for spelling. On success the server-final
/// message (<c>v=...</c>) is sent as one more challenge, which the client answers with an empty line (RFC 4422 §5:
/// IMAP, POP3 and SMTP all carry it this way). SCRAM error messages (<c>e=...</c>) are not sent: none of the three
/// protocols carries data with a failure, and the reply is the same for every failure.</item>
/// <item>OAUTHBEARER and XOAUTH2 end in a bearer token check against <see cref="AuthenticationOptions.OAuth"/>'s issuers
/// (<see cref="CredentialVerifier.VerifyBearerTokenAsync"/>); they are offered only inside TLS and only while an issuer is
/// configured. A refused token gets RFC 7628 §3.2.2's error as a challenge, whose answer is read before the failure.</item>
/// <item>An authzid other than the authcid is refused (<see cref="AuthenticationStatus.AuthorizationDenied"/>).</item>
/// <item>Every attempt that names a login and reaches a verdict is recorded through
/// <see cref="IAccountDirectory.RecordLoginAsync"/>; a cancelled or unparseable exchange that named none is not. A
/// SCRAM exchange cancelled, or cut off, after the server-first message is a counted, recorded failure.</item>
/// <item>Client data never throws; the channel's exceptions (connection closed) and cancellation propagate.</item>
/// </list>
/// </remarks>
internal sealed partial class SaslAuthenticator : IDisposable
{
    private readonly CredentialVerifier _verifier;
    private readonly ILogger _logger;
    private readonly bool _allowPlaintext;
    private readonly string[] _mechanisms;
    private readonly string[] _plaintextMechanisms;
    private readonly OAuthTokenValidator? _tokens;

    /// <summary>Creates the authenticator; see <see cref="AuthenticationOptions"/>.</summary>
    /// <exception cref="InvalidOperationException">A configured mechanism is not implemented.</exception>
    /// <exception cref="MailHost.Hosting.MailHostConfigurationException">An OAuth setting is out of range.</exception>
    public SaslAuthenticator(
        IAuthIdentityResolver resolver,
        IAccountDirectory directory,
        AuthenticationThrottle throttle,
        IOptions<AuthenticationOptions> options,
        TimeProvider timeProvider,
        ILogger<SaslAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _verifier = new CredentialVerifier(resolver, directory, throttle, options.Value, timeProvider, logger);
        _logger = logger;
        _allowPlaintext = options.Value.AllowPlaintextAuthentication;
        _tokens = options.Value.OAuth is { Issuers.Count: > 0 } oauth ? new OAuthTokenValidator(oauth, timeProvider, logger) : null;
        var mechanisms = new List<string>();
        foreach (var name in options.Value.Mechanisms)
        {
            var canonical = SaslMechanismNames.All.FirstOrDefault(known => string.Equals(known, name?.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException(
                    $"MailHost:Auth:Mechanisms: '{name}' is not a supported SASL mechanism; use {string.Join(", ", SaslMechanismNames.All)}.");
            // The bearer token mechanisms need an issuer to check tokens against; without one they are not offered.
            if (!mechanisms.Contains(canonical) && (_tokens is not null || !SaslMechanismNames.BearerToken.Contains(canonical)))
            {
                mechanisms.Add(canonical);
            }
        }

        _mechanisms = [.. mechanisms];
        _plaintextMechanisms = [.. mechanisms.Where(name => !SaslMechanismNames.BearerToken.Contains(name))];
        if (_tokens is not null && _plaintextMechanisms.Length == _mechanisms.Length)
        {
            OAuthLog.MechanismsOff(logger, _tokens.Issuers.Count);
        }
    }

    /// <summary>
    /// The mechanisms to advertise on a connection with this TLS state (IMAP <c>AUTH=</c>, SMTP <c>AUTH</c>, POP3
    /// <c>SASL</c>); empty without TLS unless <see cref="AuthenticationOptions.AllowPlaintextAuthentication"/>, and never
    /// a bearer token mechanism without TLS: a token is good for anyone who reads it (RFC 6750 §5.3, RFC 7628 §5).
    /// </summary>
    public IReadOnlyList<string> GetMechanisms(bool isTls) => GetMechanisms(isTls, null);

    /// <summary>
    /// The mechanisms to advertise on a connection with this TLS state on an endpoint whose own
    /// <c>AllowPlaintextAuthentication</c> is <paramref name="endpointAllowsPlaintext"/> (null: the global setting decides).
    /// </summary>
    public IReadOnlyList<string> GetMechanisms(bool isTls, bool? endpointAllowsPlaintext)
        => !IsAllowed(isTls, endpointAllowsPlaintext) ? [] : isTls ? _mechanisms : _plaintextMechanisms;

    /// <summary>
    /// Whether credentials may be sent at all on a connection with this TLS state on an endpoint whose own
    /// <c>AllowPlaintextAuthentication</c> is <paramref name="endpointAllowsPlaintext"/> (null: the global setting decides).
    /// </summary>
    public bool IsAllowed(bool isTls, bool? endpointAllowsPlaintext) => isTls || (endpointAllowsPlaintext ?? _allowPlaintext);

    /// <summary>PBKDF2 derivations this authenticator has run (tests and diagnostics).</summary>
    internal long PasswordDerivations => _verifier.Derivations;

    /// <summary>Runs one exchange.</summary>
    /// <param name="mechanism">The mechanism name from the command (case-insensitive).</param>
    /// <param name="initialResponse">The initial response exactly as it appeared on the command line (base64 text,
    /// or <c>=</c> for an empty one; RFC 4959, RFC 4954 §4), or <see langword="null"/> (or empty) when the command had none.</param>
    /// <param name="channel">Sends challenges and reads the client's answers.</param>
    /// <param name="context">The connection; <see cref="AuthenticationContext.Mechanism"/> is set to the mechanism name.</param>
    /// <param name="ct">Cancels I/O, lookups and the throttle delay.</param>
    public async ValueTask<AuthenticationResult> AuthenticateAsync(
        string mechanism,
        ReadOnlyMemory<byte>? initialResponse,
        ISaslChallengeChannel channel,
        AuthenticationContext context,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(context);
        var name = Array.Find(_mechanisms, known => string.Equals(known, mechanism, StringComparison.OrdinalIgnoreCase));
        context.Mechanism = name ?? mechanism;
        if (name is null)
        {
            return CredentialVerifier.Counted(context, AuthenticationResult.Failure(AuthenticationStatus.MechanismNotSupported));
        }

        if (!IsAllowed(context.IsTls, context.AllowPlaintextAuthentication) || (!context.IsTls && !_plaintextMechanisms.Contains(name)))
        {
            return CredentialVerifier.Counted(context, AuthenticationResult.Failure(AuthenticationStatus.EncryptionRequired));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(SaslWireFormat.MaxDecodedLength);
        try
        {
            return await RunAsync(SaslMechanism.Create(name)!, initialResponse, channel, context, buffer, ct).ConfigureAwait(false);
        }
        finally
        {
            // The buffer held passwords or proofs.
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _tokens?.Dispose();

    private static AuthenticationStatus StatusOf(SaslFailure failure) => failure switch
    {
        SaslFailure.Cancelled => AuthenticationStatus.Cancelled,
        SaslFailure.TooLong => AuthenticationStatus.TooLong,
        SaslFailure.AuthenticationFailed => AuthenticationStatus.InvalidCredentials,
        _ => AuthenticationStatus.Malformed,
    };

    private async ValueTask<AuthenticationResult> RunAsync(
        SaslMechanism mechanism,
        ReadOnlyMemory<byte>? initialResponse,
        ISaslChallengeChannel channel,
        AuthenticationContext context,
        byte[] buffer,
        CancellationToken ct)
    {
        SaslStep step;
        // An empty initial response cannot come from the wire (an empty one is "="), but a null byte[] converts to
        // an empty ReadOnlyMemory, so empty means "none" here.
        if (initialResponse is { Length: > 0 } initial)
        {
            if (!SaslWireFormat.TryDecodeResponse(initial.Span, isInitialResponse: true, buffer, out var length, out var failure))
            {
                return CredentialVerifier.Counted(context, Refuse(mechanism, failure, "initial response is not valid base64"));
            }

            step = mechanism.Start(buffer.AsSpan(0, length));
        }
        else
        {
            step = mechanism.Start();
        }

        CredentialVerifier.ScramAttempt? scram = null;
        while (true)
        {
            switch (step.Kind)
            {
                case SaslStepKind.Challenge:
                    var (answered, length, failure) = await ExchangeCountingAsync(step.Data, channel, buffer, scram, ct).ConfigureAwait(false);
                    if (!answered)
                    {
                        return await EndAsync(mechanism, scram, context, failure, "response is not valid base64", ct).ConfigureAwait(false);
                    }

                    step = mechanism.Continue(buffer.AsSpan(0, length));
                    break;

                case SaslStepKind.VerifyPassword:
                    return await _verifier.VerifyPasswordAsync(
                        step.AuthenticationId!, step.AuthorizationId, step.Password!, mechanism.Name, context, ct).ConfigureAwait(false);

                case SaslStepKind.NeedScramCredentials:
                    scram = await _verifier.BeginScramAsync(step.AuthenticationId!, step.AuthorizationId, mechanism.Name, context, ct)
                        .ConfigureAwait(false);
                    if (scram.EarlyResult is { } early)
                    {
                        return early;
                    }

                    step = mechanism.ProvideCredentials(scram.Credentials!);
                    break;

                case SaslStepKind.VerifyBearerToken:
                    return await VerifyBearerTokenAsync(mechanism, step, channel, context, buffer, ct).ConfigureAwait(false);

                case SaslStepKind.Success:
                    var result = await _verifier.CompleteScramAsync(scram!, proofValid: true, AuthenticationStatus.InvalidCredentials, ct)
                        .ConfigureAwait(false);
                    if (!result.Succeeded || step.Data.IsEmpty)
                    {
                        return result;
                    }

                    // RFC 4422 §5: additional data with success travels as a challenge answered by an empty response.
                    var (acknowledged, ackLength, ackFailure) = await ExchangeAsync(step.Data, channel, buffer, ct).ConfigureAwait(false);
                    if (!acknowledged || ackLength != 0)
                    {
                        // Not counted again: the attempt was counted as it ended, with the right proof.
                        return Refuse(mechanism, acknowledged ? SaslFailure.Malformed : ackFailure, "server-final message not acknowledged");
                    }

                    return result;

                default:
                    return await EndAsync(mechanism, scram, context, step.Failure, step.Message ?? "failed", ct).ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask<(bool Answered, int Length, SaslFailure Failure)> ExchangeAsync(
        ReadOnlyMemory<byte> challenge, ISaslChallengeChannel channel, byte[] buffer, CancellationToken ct)
    {
        await channel.SendChallengeAsync(SaslWireFormat.EncodeChallenge(challenge.Span), ct).ConfigureAwait(false);
        var line = await channel.ReadResponseAsync(ct).ConfigureAwait(false);
        var answered = SaslWireFormat.TryDecodeResponse(line.Span, isInitialResponse: false, buffer, out var length, out var failure);
        return (answered, length, failure);
    }

    /// <summary>
    /// One challenge and its answer; once a SCRAM exchange has shown its salt (the server-first message), a
    /// connection that ends instead of answering is counted as a failed attempt before the exception goes on.
    /// </summary>
    private async ValueTask<(bool Answered, int Length, SaslFailure Failure)> ExchangeCountingAsync(
        ReadOnlyMemory<byte> challenge, ISaslChallengeChannel channel, byte[] buffer, CredentialVerifier.ScramAttempt? scram, CancellationToken ct)
    {
        if (scram is null)
        {
            return await ExchangeAsync(challenge, channel, buffer, ct).ConfigureAwait(false);
        }

        try
        {
            return await ExchangeAsync(challenge, channel, buffer, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await _verifier.AbandonScramAsync(scram).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Ends a failed exchange: recorded and throttled once a SCRAM login is known, a cancel included (the client
    /// has seen the salt by then, which is all an attacker probing for logins wants).
    /// </summary>
    private async ValueTask<AuthenticationResult> EndAsync(
        SaslMechanism mechanism, CredentialVerifier.ScramAttempt? scram, AuthenticationContext context, SaslFailure failure, string reason, CancellationToken ct)
    {
        if (scram is null)
        {
            return CredentialVerifier.Counted(context, Refuse(mechanism, failure, reason));
        }

        Log.ExchangeFailed(_logger, mechanism.Name, failure, reason);
        return await _verifier.CompleteScramAsync(scram, proofValid: false, StatusOf(failure), ct).ConfigureAwait(false);
    }

    private AuthenticationResult Refuse(SaslMechanism mechanism, SaslFailure failure, string reason)
    {
        Log.ExchangeFailed(_logger, mechanism.Name, failure, reason);
        return AuthenticationResult.Failure(StatusOf(failure));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1107, Level = LogLevel.Debug, Message = "SASL {Mechanism} exchange ended: {Failure}, {Reason}")]
        public static partial void ExchangeFailed(ILogger logger, string mechanism, SaslFailure failure, string reason);
    }
}
