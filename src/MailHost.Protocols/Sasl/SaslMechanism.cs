namespace MailHost.Protocols.Sasl;

/// <summary>
/// The server side of one SASL exchange (RFC 4422), as a state machine that takes decoded client data and returns
/// <see cref="SaslStep"/> values. It does no I/O and no credential lookups: the driver does both.
/// An instance serves one exchange and is not thread-safe.
/// </summary>
/// <remarks>
/// Call order: <see cref="Start()"/> or <see cref="Start(ReadOnlySpan{byte})"/> once; then, while the last step is a
/// <see cref="SaslStepKind.Challenge"/>, <see cref="Continue"/> with the client's decoded answer; after a
/// <see cref="SaslStepKind.NeedScramCredentials"/>, <see cref="ProvideCredentials"/>; after a
/// <see cref="SaslStepKind.VerifyBearerToken"/>, <see cref="AcceptToken"/> or <see cref="RejectToken"/>. Any other call
/// is a programming error and throws <see cref="InvalidOperationException"/>. Client data never makes a method throw.
/// </remarks>
public abstract class SaslMechanism
{
    private State _state;

    private enum State
    {
        NotStarted,
        AwaitingResponse,
        AwaitingCredentials,
        AwaitingTokenVerdict,
        Completed,
    }

    /// <summary>The mechanism name (see <see cref="SaslMechanismNames"/>).</summary>
    public abstract string Name { get; }

    /// <summary>Whether the client sends its password itself (PLAIN, LOGIN) rather than a proof of it.</summary>
    public abstract bool TransmitsPassword { get; }

    /// <summary>Whether the exchange has ended (a step other than a challenge or a credentials request was returned).</summary>
    public bool IsCompleted => _state == State.Completed;

    /// <summary>Creates a mechanism by name (case-insensitive); <see langword="null"/> for a name not implemented here.</summary>
    public static SaslMechanism? Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToUpperInvariant() switch
        {
            SaslMechanismNames.Plain => new SaslPlainMechanism(),
            SaslMechanismNames.Login => new SaslLoginMechanism(),
            SaslMechanismNames.ScramSha256 => new SaslScramSha256Mechanism(),
            SaslMechanismNames.OAuthBearer => new SaslOAuthBearerMechanism(),
            SaslMechanismNames.XOAuth2 => new SaslXOAuth2Mechanism(),
            _ => null,
        };
    }

    /// <summary>Starts an exchange whose command carried no initial response.</summary>
    public SaslStep Start()
    {
        Expect(State.NotStarted);
        return Track(OnStart(hasInitialResponse: false, []));
    }

    /// <summary>Starts an exchange with the decoded initial response (SASL-IR; empty when the client sent <c>=</c>).</summary>
    public SaslStep Start(ReadOnlySpan<byte> initialResponse)
    {
        Expect(State.NotStarted);
        return Track(OnStart(hasInitialResponse: true, initialResponse));
    }

    /// <summary>Continues with the client's decoded answer to the last challenge.</summary>
    public SaslStep Continue(ReadOnlySpan<byte> response)
    {
        Expect(State.AwaitingResponse);
        return Track(OnResponse(response));
    }

    /// <summary>Supplies the credentials requested by a <see cref="SaslStepKind.NeedScramCredentials"/> step.</summary>
    public SaslStep ProvideCredentials(SaslScramCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Expect(State.AwaitingCredentials);
        if (!credentials.IsValid)
        {
            throw new ArgumentException("The SCRAM credentials are incomplete.", nameof(credentials));
        }

        return Track(OnCredentials(credentials));
    }

    /// <summary>
    /// Ends an exchange whose <see cref="SaslStepKind.VerifyBearerToken"/> the driver accepted: returns
    /// <see cref="SaslStepKind.Success"/> for <paramref name="authenticationId"/>, the user the token names.
    /// </summary>
    public SaslStep AcceptToken(string authenticationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(authenticationId);
        Expect(State.AwaitingTokenVerdict);
        return Track(OnTokenAccepted(authenticationId));
    }

    /// <summary>
    /// Continues an exchange whose <see cref="SaslStepKind.VerifyBearerToken"/> the driver refused, with the error the
    /// client is to see (RFC 7628 §3.2.2: a JSON object, raw bytes). Returns the error challenge; the client's answer
    /// to it, passed to <see cref="Continue"/>, ends the exchange in a <see cref="SaslStepKind.Failure"/>.
    /// </summary>
    public SaslStep RejectToken(ReadOnlyMemory<byte> errorChallenge)
    {
        Expect(State.AwaitingTokenVerdict);
        return Track(OnTokenRejected(errorChallenge));
    }

    /// <summary>Handles the start of the exchange.</summary>
    protected abstract SaslStep OnStart(bool hasInitialResponse, ReadOnlySpan<byte> initialResponse);

    /// <summary>Handles the client's answer to the last challenge.</summary>
    protected abstract SaslStep OnResponse(ReadOnlySpan<byte> response);

    /// <summary>Handles looked-up credentials; only mechanisms that return <see cref="SaslStepKind.NeedScramCredentials"/> override it.</summary>
    protected virtual SaslStep OnCredentials(SaslScramCredentials credentials) =>
        throw new InvalidOperationException($"{Name} does not take SCRAM credentials.");

    /// <summary>Handles an accepted bearer token; only mechanisms that return <see cref="SaslStepKind.VerifyBearerToken"/> override it.</summary>
    protected virtual SaslStep OnTokenAccepted(string authenticationId) =>
        throw new InvalidOperationException($"{Name} does not carry bearer tokens.");

    /// <summary>Handles a refused bearer token; only mechanisms that return <see cref="SaslStepKind.VerifyBearerToken"/> override it.</summary>
    protected virtual SaslStep OnTokenRejected(ReadOnlyMemory<byte> errorChallenge) =>
        throw new InvalidOperationException($"{Name} does not carry bearer tokens.");

    private void Expect(State state)
    {
        if (_state != state)
        {
            throw new InvalidOperationException($"{Name}: call not valid in state {_state}.");
        }
    }

    private SaslStep Track(SaslStep step)
    {
        _state = step.Kind switch
        {
            SaslStepKind.Challenge => State.AwaitingResponse,
            SaslStepKind.NeedScramCredentials => State.AwaitingCredentials,
            SaslStepKind.VerifyBearerToken => State.AwaitingTokenVerdict,
            _ => State.Completed,
        };
        return step;
    }
}
