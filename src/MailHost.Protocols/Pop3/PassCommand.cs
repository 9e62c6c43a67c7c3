namespace MailHost.Protocols.Pop3;

/// <summary><c>PASS string</c> (RFC 1939 §7). <c>Password</c> is the rest of the line, spaces included (RFC 1939 §7 allows treating them as part of the password).</summary>
public sealed record PassCommand(string Password) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Pass;
}
