namespace MailHost.Storage;

/// <summary>What APPEND (or a delivery) sets on the new message besides its content.</summary>
/// <param name="Flags">Initial system flags.</param>
/// <param name="Keywords">Initial keywords; each must be a valid <see cref="MessageKeyword"/>.</param>
/// <param name="InternalDate">INTERNALDATE; <see langword="null"/> means now.</param>
public sealed record AppendOptions(
    MessageFlags Flags = MessageFlags.None,
    IReadOnlyList<string>? Keywords = null,
    DateTimeOffset? InternalDate = null)
{
    /// <summary>No flags, no keywords, INTERNALDATE now.</summary>
    public static AppendOptions Default { get; } = new();
}
