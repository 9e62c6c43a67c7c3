namespace MailHost.Testing;

/// <summary>
/// Faults armed on the SMTP and submission endpoints of a <see cref="MailTestServer"/>, for testing how an
/// application copes with a mail server that refuses, stalls or disappears. Each fault is used up by the
/// connections or commands it hits; faults of one kind are used in the order they were armed. Thread-safe.
/// </summary>
/// <remarks>
/// The faults are applied by a connection layer in front of MailHost's SMTP session, never by the session itself:
/// a command that gets an injected reply never reaches the server. Commands in a session that switched to TLS with
/// STARTTLS are seen as well: the layer terminates that TLS with the test certificate.
/// </remarks>
public sealed class SmtpFaults
{
    private readonly Lock _lock = new();
    private readonly List<CommandFault> _commandFaults = [];
    private int _droppedConnections;
    private int _implicitTlsConnections;
    private int _delayedData;
    private TimeSpan _dataDelay;

    /// <summary>
    /// The next <paramref name="count"/> commands (only those with the verb <paramref name="verb"/>, such as
    /// <c>RCPT</c> or <c>DATA</c>, when given) get <paramref name="replyCode"/> and <paramref name="text"/> as their
    /// reply instead of reaching the server. A <c>421</c> reply also closes the connection, as RFC 5321 §3.8 says a
    /// server does when it shuts the transmission channel.
    /// </summary>
    /// <param name="replyCode">A temporary (400-499) or permanent (500-599) SMTP reply code.</param>
    /// <param name="text">The reply text, for example <c>4.3.0 Try again later</c>; one line.</param>
    /// <param name="count">How many commands to fail.</param>
    /// <param name="verb">The command verb to fail (case-insensitive), or <see langword="null"/> for any command.</param>
    /// <exception cref="ArgumentOutOfRangeException">The code is not 400-599, or the count is not positive.</exception>
    /// <exception cref="ArgumentException">The text contains a line break.</exception>
    public void FailNextCommands(int replyCode, string text, int count = 1, string? verb = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replyCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replyCode, 599);
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("The reply text must be one line.", nameof(text));
        }

        Arm(new CommandFault(NormalizeVerb(verb), replyCode, text, count));
    }

    /// <summary>
    /// The connection is closed abruptly, without a reply, when the next <paramref name="count"/> commands (only those
    /// with the verb <paramref name="verb"/>, when given) arrive.
    /// </summary>
    public void DropOnNextCommands(int count = 1, string? verb = null) => Arm(new CommandFault(NormalizeVerb(verb), ReplyCode: null, Text: null, count));

    /// <summary>The next <paramref name="count"/> connections are closed at once, before the greeting.</summary>
    public void DropNextConnections(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_lock)
        {
            _droppedConnections += count;
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> connections behave like an implicit-TLS port (RFC 8314 §3.3): the server
    /// waits for a TLS ClientHello instead of greeting, so a plain-text client waits for a greeting that never comes,
    /// as it would when configured for the wrong port.
    /// </summary>
    public void UseImplicitTlsOnNextConnections(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_lock)
        {
            _implicitTlsConnections += count;
        }
    }

    /// <summary>
    /// For the next <paramref name="count"/> messages, the server waits <paramref name="delay"/> after the end of the
    /// message data (the final dot of DATA, or BDAT LAST) before it takes the message and replies: a slow server, for
    /// testing the application's DATA timeout (RFC 5321 §4.5.3.2.6 gives servers 10 minutes).
    /// </summary>
    public void DelayNextDataReplies(TimeSpan delay, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_lock)
        {
            _dataDelay = delay;
            _delayedData = count;
        }
    }

    /// <summary>Disarms every fault that has not been used up.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _commandFaults.Clear();
            _droppedConnections = 0;
            _implicitTlsConnections = 0;
            _delayedData = 0;
        }
    }

    /// <summary>Takes one "drop the connection" fault, if armed.</summary>
    internal bool TakeDroppedConnection() => TakeOne(ref _droppedConnections);

    /// <summary>Takes one "implicit TLS on the plain port" fault, if armed.</summary>
    internal bool TakeImplicitTls() => TakeOne(ref _implicitTlsConnections);

    /// <summary>Takes the delay for one message's data, or <see cref="TimeSpan.Zero"/>.</summary>
    internal TimeSpan TakeDataDelay()
    {
        lock (_lock)
        {
            if (_delayedData == 0)
            {
                return TimeSpan.Zero;
            }

            _delayedData--;
            return _dataDelay;
        }
    }

    /// <summary>Takes the first armed fault for a command with <paramref name="verb"/> (upper case), if any.</summary>
    internal SmtpCommandFault? TakeCommandFault(string verb)
    {
        lock (_lock)
        {
            var index = _commandFaults.FindIndex(f => f.Verb is null || f.Verb == verb);
            if (index < 0)
            {
                return null;
            }

            var fault = _commandFaults[index];
            if (fault.Remaining == 1)
            {
                _commandFaults.RemoveAt(index);
            }
            else
            {
                _commandFaults[index] = fault with { Remaining = fault.Remaining - 1 };
            }

            return new SmtpCommandFault(fault.ReplyCode, fault.Text);
        }
    }

    private void Arm(CommandFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fault.Remaining, "count");
        lock (_lock)
        {
            _commandFaults.Add(fault);
        }
    }

    private bool TakeOne(ref int counter)
    {
        lock (_lock)
        {
            if (counter == 0)
            {
                return false;
            }

            counter--;
            return true;
        }
    }

    private static string? NormalizeVerb(string? verb) =>
        string.IsNullOrWhiteSpace(verb) ? null : verb.Trim().ToUpperInvariant();

    private sealed record CommandFault(string? Verb, int? ReplyCode, string? Text, int Remaining);
}
