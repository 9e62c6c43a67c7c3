namespace MailHost.Storage.Common;

/// <summary>How a <see cref="BackgroundBatchWorker"/> paces itself.</summary>
/// <param name="BatchSize">Items per batch; a batch that handles fewer ends the run.</param>
/// <param name="Delay">The wait before each batch, so that many notifications share one.</param>
/// <param name="Backlog">A backlog this large is worked on even while the store is busy.</param>
/// <param name="Retry">The wait after a failed batch.</param>
public sealed record BatchWorkerTimings(int BatchSize, TimeSpan Delay, long Backlog, TimeSpan Retry);
