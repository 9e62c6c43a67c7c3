namespace MailHost.Protocols.Pop3;

/// <summary><c>UTF8</c> (RFC 6856 §2): the client asks for UTF-8 mode.</summary>
public sealed record Utf8Command : Pop3Command
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static Pop3Command Instance { get; } = new Utf8Command();

    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Utf8;
}
