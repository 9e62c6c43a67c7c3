namespace MailHost.Certificates.Acme;

/// <summary>A successful answer of the ACME server: the body and the headers the protocol uses.</summary>
/// <param name="StatusCode">The HTTP status (200, 201).</param>
/// <param name="Body">The response body.</param>
/// <param name="Location">The URL of a created resource (an account, an order; RFC 8555 §7.3, §7.4).</param>
/// <param name="RetryAfter">How long the server asks the client to wait before polling again (RFC 8555 §7.5.1, §8.2).</param>
internal sealed record AcmeResponse(int StatusCode, ReadOnlyMemory<byte> Body, string? Location, TimeSpan? RetryAfter);
