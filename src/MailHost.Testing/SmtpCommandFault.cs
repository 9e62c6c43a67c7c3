namespace MailHost.Testing;

/// <summary>What happens to one command hit by a fault: a reply instead of the server's, or (no code) a dropped connection.</summary>
/// <param name="ReplyCode">The injected reply code, or <see langword="null"/> to close the connection.</param>
/// <param name="Text">The injected reply text.</param>
internal sealed record SmtpCommandFault(int? ReplyCode, string? Text)
{
    /// <summary>Whether the connection is closed without a reply.</summary>
    public bool DropsConnection => ReplyCode is null;
}
