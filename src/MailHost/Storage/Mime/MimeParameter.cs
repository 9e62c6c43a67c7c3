namespace MailHost.Storage.Mime;

/// <summary>A Content-Type or Content-Disposition parameter, RFC 2231 continuations already joined.</summary>
/// <param name="Name">The parameter name.</param>
/// <param name="Value">The decoded value.</param>
public sealed record MimeParameter(string Name, string Value);
