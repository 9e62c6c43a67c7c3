namespace MailHost.Protocols.Imap;

/// <summary><c>AUTHENTICATE mechanism [initial-response]</c> (RFC 9051 §6.2.2, SASL-IR RFC 4959). Later client lines are read with <see cref="ImapCommandParser.TryParseAuthenticateResponse"/>.</summary>
/// <remarks>
/// <para><c>Mechanism</c>: The mechanism name, upper-cased.</para>
/// <para><c>InitialResponse</c>: The SASL-IR initial response exactly as sent (base64 text, or <c>=</c> for an empty response); null when absent.</para>
/// </remarks>
public sealed record AuthenticateCommand(string Tag, string Mechanism, string? InitialResponse) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "AUTHENTICATE";
}
