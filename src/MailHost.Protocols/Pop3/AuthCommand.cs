namespace MailHost.Protocols.Pop3;

/// <summary><c>AUTH [mechanism [initial-response]]</c> (RFC 5034 §4). <c>Mechanism</c> is upper-cased, or <see langword="null"/> for a bare <c>AUTH</c> (older clients use it to list mechanisms); <c>InitialResponse</c> is the base64 text as sent (<c>=</c> for empty).</summary>
public sealed record AuthCommand(string? Mechanism, string? InitialResponse) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Auth;
}
