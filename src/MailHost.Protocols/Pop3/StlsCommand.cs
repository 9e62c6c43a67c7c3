namespace MailHost.Protocols.Pop3;

/// <summary><c>STLS</c> (RFC 2595 §4). Bytes already buffered after this line are injected plain text and must be discarded.</summary>
public sealed record StlsCommand : Pop3Command
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static Pop3Command Instance { get; } = new StlsCommand();

    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Stls;
}
