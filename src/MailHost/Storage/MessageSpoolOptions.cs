namespace MailHost.Storage;

/// <summary>Where and how <see cref="MessageSpool"/> keeps incoming content.</summary>
/// <param name="TempDirectory">Directory for spool files; <see langword="null"/> keeps everything in memory (in 64 KiB chunks).</param>
/// <param name="InlineThreshold">Content up to this size stays in memory even with a temp directory.</param>
/// <param name="MaxSize">Largest content accepted; beyond it the spool fails with <see cref="StoreErrorCode.TooBig"/>.</param>
public sealed record MessageSpoolOptions(string? TempDirectory, int InlineThreshold, long MaxSize);
