namespace MailHost.Protocols.Imap;

/// <summary><c>ID (field value ...)</c> or <c>ID NIL</c> (RFC 2971).</summary>
/// <remarks>
/// <para><c>Parameters</c>: The field/value pairs in order (a NIL value is null); null for <c>ID NIL</c>.</para>
/// </remarks>
public sealed record IdCommand(string Tag, IReadOnlyList<KeyValuePair<string, string?>>? Parameters) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "ID";
}
