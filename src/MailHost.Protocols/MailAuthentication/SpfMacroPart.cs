namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// One piece of an SPF <c>macro-string</c> (RFC 7208 §7.1): literal text (escapes such as <c>%%</c> already
/// decoded), or a <c>%{letter digits r delimiters}</c> macro.
/// </summary>
public sealed record SpfMacroPart
{
    /// <summary>The literal text, or <see langword="null"/> for a macro.</summary>
    public string? Literal { get; init; }

    /// <summary>The macro letter in lower case (<c>s l o d i p h v</c>, and <c>c r t</c> in explanations).</summary>
    public char Letter { get; init; }

    /// <summary>How many right-hand parts to keep; 0 keeps all (a written 0 is a syntax error, §7.1).</summary>
    public int Digits { get; init; }

    /// <summary>Whether the parts are reversed (the <c>r</c> transformer) before <see cref="Digits"/> applies.</summary>
    public bool Reverse { get; init; }

    /// <summary>The characters the value is split on; <c>.</c> when none were given.</summary>
    public string Delimiters { get; init; } = ".";

    /// <summary>Whether the letter was upper case: the expansion is URL-escaped (§7.3).</summary>
    public bool UrlEscape { get; init; }

    /// <summary>Whether this part is literal text.</summary>
    public bool IsLiteral => Literal is not null;

    /// <summary>A literal part.</summary>
    public static SpfMacroPart Text(string literal) => new() { Literal = literal };
}
