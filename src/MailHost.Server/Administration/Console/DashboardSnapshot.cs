namespace MailHost.Server.Administration.Console;

/// <summary>
/// The numbers of the console's dashboard that live only in the <c>MailHost</c> meter: totals since this host
/// started, plus the queue gauges as the queue workers last sampled them.
/// </summary>
/// <param name="ActiveConnections">Open mail connections by protocol (imap, pop3, smtp, submission).</param>
/// <param name="MessagesReceived">Messages accepted, by endpoint kind (mx, submission).</param>
/// <param name="MessagesDelivered">Deliveries (per recipient), by route (local, remote).</param>
/// <param name="MessagesDeferred">Outbound recipients deferred for a later try.</param>
/// <param name="MessagesBounced">Outbound recipients given up, by reason (permanent, expired).</param>
/// <param name="AuthenticationAttempts">Authentication attempts by outcome.</param>
/// <param name="QueueDepth">Messages in the outbound queue; null when no queue worker reports (outbound delivery off).</param>
/// <param name="QueueOldestAge">Age of the oldest queued message; null when no queue worker reports.</param>
internal sealed record DashboardSnapshot(
    IReadOnlyDictionary<string, long> ActiveConnections,
    IReadOnlyDictionary<string, long> MessagesReceived,
    IReadOnlyDictionary<string, long> MessagesDelivered,
    long MessagesDeferred,
    IReadOnlyDictionary<string, long> MessagesBounced,
    IReadOnlyDictionary<string, long> AuthenticationAttempts,
    double? QueueDepth,
    TimeSpan? QueueOldestAge)
{
    /// <summary>Authentication attempts that did not succeed (any outcome but <c>succeeded</c>/<c>success</c>).</summary>
    public long FailedAuthentications => AuthenticationAttempts
        .Where(pair => pair.Key is not ("succeeded" or "success"))
        .Sum(pair => pair.Value);
}
