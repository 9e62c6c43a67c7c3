namespace MailHost.Protocols.Pop3;

/// <summary>A line that looks like HTTP (ALPACA, SECURITY A6): <c>Method</c> is the upper-case request method, or <c>header</c> for a header field line. Close the connection.</summary>
public sealed record HttpRequestCommand(string Method) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.HttpRequest;
}
