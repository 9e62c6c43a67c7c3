namespace MailHost.Filtering;

/// <summary>
/// What the filters said so far in one SMTP session. Header changes, summaries and dispositions are kept per scope:
/// the connection's (connect stage), the last EHLO/HELO's (replaced by the next one, as after STARTTLS) and the
/// current transaction's (MAIL, RCPT, the message); a message gets those of all three.
/// </summary>
internal sealed class InboundFilterRun(InboundFilterSession session)
{
    private readonly Scope _connection = new();
    private readonly Scope _hello = new();
    private readonly Scope _transaction = new();

    public InboundFilterSession Session { get; } = session;

    /// <summary>An allow list matched: no later filter is asked for the rest of the session.</summary>
    public bool Allowed { get; set; }

    /// <summary>The current transaction's envelope; null outside a transaction.</summary>
    public InboundFilterEnvelope? Envelope { get; private set; }

    /// <summary>Header changes for the current message, in the order the stages came.</summary>
    public IEnumerable<InboundHeaderChange> HeaderChanges => _connection.Headers.Concat(_hello.Headers).Concat(_transaction.Headers);

    /// <summary>The filters' summaries for the current message, for its log line.</summary>
    public IEnumerable<string> Summaries => _connection.Summaries.Concat(_hello.Summaries).Concat(_transaction.Summaries);

    /// <summary>
    /// What happens to the current message beyond acceptance: the strongest of the three scopes' (Discard over
    /// Quarantine over Junk over Accept).
    /// </summary>
    public InboundFilterAction Disposition => Strongest(Strongest(_connection.Disposition, _hello.Disposition), _transaction.Disposition);

    /// <summary>A new EHLO or HELO: what the filters said about the previous one no longer applies.</summary>
    public void StartHello() => _hello.Clear();

    public void StartTransaction(InboundFilterEnvelope envelope)
    {
        EndTransaction();
        Envelope = envelope;
    }

    public void EndTransaction()
    {
        Envelope = null;
        _transaction.Clear();
    }

    /// <summary>Records what a verdict asks beyond its action (headers, a disposition, the summary) at <paramref name="stage"/>.</summary>
    public void Record(InboundFilterStage stage, string filter, InboundFilterVerdict verdict)
    {
        var scope = ScopeOf(stage);
        scope.Headers.AddRange(verdict.HeaderChanges);
        if (verdict.Summary is { Length: > 0 } summary)
        {
            scope.Summaries.Add(filter + ": " + summary);
        }

        if (verdict.Action is InboundFilterAction.Discard or InboundFilterAction.Junk or InboundFilterAction.Quarantine)
        {
            scope.Disposition = Strongest(scope.Disposition, verdict.Action);
        }
    }

    /// <summary>Records that a filter could not judge and its policy let the message through: the message says so.</summary>
    public void RecordUnjudged(InboundFilterStage stage, InboundHeaderChange header, string summary)
    {
        var scope = ScopeOf(stage);
        scope.Headers.Add(header);
        scope.Summaries.Add(summary);
    }

    private Scope ScopeOf(InboundFilterStage stage) => stage switch
    {
        InboundFilterStage.Connect => _connection,
        InboundFilterStage.Helo => _hello,
        _ => _transaction,
    };

    private static InboundFilterAction Strongest(InboundFilterAction a, InboundFilterAction b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(InboundFilterAction action) => action switch
    {
        InboundFilterAction.Discard => 3,
        InboundFilterAction.Quarantine => 2,
        InboundFilterAction.Junk => 1,
        _ => 0,
    };

    private sealed class Scope
    {
        public List<InboundHeaderChange> Headers { get; } = [];

        public List<string> Summaries { get; } = [];

        public InboundFilterAction Disposition { get; set; } = InboundFilterAction.Accept;

        public void Clear()
        {
            Headers.Clear();
            Summaries.Clear();
            Disposition = InboundFilterAction.Accept;
        }
    }
}
