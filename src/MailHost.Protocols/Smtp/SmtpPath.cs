namespace MailHost.Protocols.Smtp;

/// <summary>
/// A reverse-path or forward-path (RFC 5321 §4.1.2). A source route (<c>&lt;@a,@b:user@c&gt;</c>) is accepted and
/// ignored as RFC 5321 §4.1.1.3 and Appendix C require, but kept in <see cref="SourceRoute"/> so it can be reported.
/// </summary>
/// <param name="Mailbox">The mailbox, or <see langword="null"/> for the null reverse-path <c>&lt;&gt;</c>.</param>
/// <param name="SourceRoute">The dropped route's domains in order (without <c>@</c>); empty when there was none.</param>
public sealed record SmtpPath(SmtpMailbox? Mailbox, IReadOnlyList<string> SourceRoute)
{
    /// <summary>The null reverse-path <c>&lt;&gt;</c> (bounces, RFC 5321 §4.5.5).</summary>
    public static SmtpPath Null { get; } = new(null, []);

    /// <summary>Whether this is the null reverse-path.</summary>
    public bool IsNull => Mailbox is null;

    /// <summary>Whether a source route was sent (and dropped).</summary>
    public bool HadSourceRoute => SourceRoute.Count > 0;

    /// <summary>Value equality, the source route compared element by element.</summary>
    public bool Equals(SmtpPath? other) =>
        other is not null && Equals(Mailbox, other.Mailbox) && SourceRoute.SequenceEqual(other.SourceRoute, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Mailbox, SourceRoute.Count);

    /// <summary>The path in RFC 5321 form without the dropped route: <c>&lt;mailbox&gt;</c> or <c>&lt;&gt;</c>.</summary>
    public override string ToString() => "<" + Mailbox + ">";
}
