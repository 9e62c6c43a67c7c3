namespace MailHost.Storage;

/// <summary>A failed store operation: a code for protocols to map and a message safe to show to the client.</summary>
/// <param name="Code">What went wrong.</param>
/// <param name="Message">Human-readable text without client input echoed back.</param>
public sealed record StoreError(StoreErrorCode Code, string Message);
