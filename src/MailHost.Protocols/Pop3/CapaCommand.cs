namespace MailHost.Protocols.Pop3;

/// <summary><c>CAPA</c> (RFC 2449 §5).</summary>
public sealed record CapaCommand : Pop3Command
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static Pop3Command Instance { get; } = new CapaCommand();

    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Capa;
}
