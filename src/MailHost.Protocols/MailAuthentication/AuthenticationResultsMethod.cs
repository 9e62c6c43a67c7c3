namespace MailHost.Protocols.MailAuthentication;

/// <summary>One <c>resinfo</c> of an Authentication-Results field (RFC 8601 §2.2): <c>method=result (comment) properties</c>.</summary>
/// <param name="Method">The method, e.g. <c>spf</c>, <c>dkim</c>, <c>dmarc</c>.</param>
/// <param name="Result">The result keyword, e.g. <c>pass</c>.</param>
public sealed record AuthenticationResultsMethod(string Method, string Result)
{
    /// <summary>A human-readable explanation, written as a comment; <see langword="null"/> for none.</summary>
    public string? Comment { get; init; }

    /// <summary>The properties in order.</summary>
    public IReadOnlyList<AuthenticationResultsProperty> Properties { get; init; } = [];
}
