namespace MailHost.LoadTest;

/// <summary>What the server answered to one IMAP command: the untagged lines, then the tagged status line.</summary>
/// <param name="Tag">The command's tag.</param>
/// <param name="Tagged">The tagged status line (or, when a literal was refused, the line that refused it).</param>
/// <param name="Untagged">The untagged lines in the order received, literals skipped.</param>
internal sealed record ImapReply(string Tag, string Tagged, List<string> Untagged)
{
    /// <summary>Whether the tagged status is OK.</summary>
    public bool Ok => Tagged.Length > Tag.Length + 1
        && Tagged.StartsWith(Tag, StringComparison.Ordinal)
        && Tagged.AsSpan(Tag.Length + 1).StartsWith("OK", StringComparison.Ordinal);

    /// <summary>The first untagged BYE (RFC 9051 §7.1.5: the server is closing the connection), or null.</summary>
    public string? Bye => Untagged.Find(static l => l.StartsWith("* BYE", StringComparison.OrdinalIgnoreCase));
}
