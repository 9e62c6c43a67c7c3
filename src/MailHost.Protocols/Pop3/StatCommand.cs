namespace MailHost.Protocols.Pop3;

/// <summary><c>STAT</c> (RFC 1939 §5).</summary>
public sealed record StatCommand : Pop3Command
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static Pop3Command Instance { get; } = new StatCommand();

    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Stat;
}
