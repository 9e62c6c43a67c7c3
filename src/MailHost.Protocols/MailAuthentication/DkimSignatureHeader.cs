using System.Globalization;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// The tags of a DKIM-Signature field (RFC 6376 §3.5) after the syntax checks §6.1.1 asks for: required tags
/// present, <c>v=1</c>, well-formed values. Semantic checks (From signed, AUID within SDID, expiry) are left to the
/// verifier so it can report them as such.
/// </summary>
public sealed record DkimSignatureHeader
{
    /// <summary>The signing algorithm, lower case (<c>a=</c>), e.g. <c>rsa-sha256</c> or <c>ed25519-sha256</c> (RFC 8463).</summary>
    public required string Algorithm { get; init; }

    /// <summary>The signing domain identifier (<c>d=</c>), lower-case ASCII.</summary>
    public required string Domain { get; init; }

    /// <summary>The selector (<c>s=</c>), lower-case ASCII.</summary>
    public required string Selector { get; init; }

    /// <summary>The signed header field names (<c>h=</c>), lower case, in order.</summary>
    public required IReadOnlyList<string> SignedHeaders { get; init; }

    /// <summary>The agent or user identifier (<c>i=</c>), or <see langword="null"/>.</summary>
    public string? Identity { get; init; }

    /// <summary>The domain part of <see cref="Identity"/>, lower-case ASCII, or <see langword="null"/>.</summary>
    public string? IdentityDomain { get; init; }

    /// <summary>The query methods (<c>q=</c>), lower case; <c>dns/txt</c> when absent.</summary>
    public IReadOnlyList<string> QueryMethods { get; init; } = ["dns/txt"];

    /// <summary>The signature timestamp (<c>t=</c>, seconds since 1970), or <see langword="null"/>.</summary>
    public long? Timestamp { get; init; }

    /// <summary>The signature expiration (<c>x=</c>, seconds since 1970), or <see langword="null"/>.</summary>
    public long? Expiration { get; init; }

    /// <summary>The body length limit (<c>l=</c>), or <see langword="null"/>.</summary>
    public long? BodyLength { get; init; }

    /// <summary>The hash algorithm part of <see cref="Algorithm"/> (after the dash), e.g. <c>sha256</c>.</summary>
    public string HashAlgorithm => Algorithm[(Algorithm.IndexOf('-', StringComparison.Ordinal) + 1)..];

    /// <summary>The key type part of <see cref="Algorithm"/> (before the dash), e.g. <c>rsa</c>.</summary>
    public string KeyType => Algorithm[..Algorithm.IndexOf('-', StringComparison.Ordinal)];

    /// <summary>Parses the (unfolded or folded) value of a DKIM-Signature field.</summary>
    public static bool TryParse(string value, out DkimSignatureHeader? signature, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        signature = null;
        if (!DkimTagList.TryParse(value, out var tags, out error))
        {
            return false;
        }

        string? Tag(string name) => DkimTagList.Find(tags, name);

        foreach (var required in (string[])["v", "a", "b", "bh", "d", "h", "s"])
        {
            if (Tag(required) is null)
            {
                error = $"the required tag '{required}=' is missing";
                return false;
            }
        }

        if (Tag("v") != "1")
        {
            error = $"unsupported version v={Tag("v")}";
            return false;
        }

        var algorithm = Tag("a")!.ToLowerInvariant();
        var dash = algorithm.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == algorithm.Length - 1 || !algorithm.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            error = $"malformed algorithm a={Tag("a")}";
            return false;
        }

        if (!IsBase64(Tag("b")!) || !IsBase64(Tag("bh")!))
        {
            error = "b= or bh= is not base64";
            return false;
        }

        var domain = MailDomainName.Normalize(Tag("d"));
        if (domain is null)
        {
            error = $"malformed domain d={Tag("d")}";
            return false;
        }

        var selector = Tag("s")!.ToLowerInvariant();
        if (!IsSelector(selector))
        {
            error = $"malformed selector s={Tag("s")}";
            return false;
        }

        var headers = Tag("h")!.Split(':').Select(h => h.Trim(' ', '\t', '\r', '\n').ToLowerInvariant()).ToList();
        if (headers.Exists(h => h.Length == 0 || !h.All(c => c is > ' ' and < (char)0x7F and not ':')))
        {
            error = "malformed h= list";
            return false;
        }

        string? identity = null;
        string? identityDomain = null;
        if (Tag("i") is { } i)
        {
            var at = i.LastIndexOf('@');
            identityDomain = at < 0 ? null : MailDomainName.Normalize(i[(at + 1)..]);
            if (identityDomain is null)
            {
                error = $"malformed identity i={i}";
                return false;
            }

            identity = i;
        }

        if (!TryNumber(Tag("t"), 12, out var timestamp) || !TryNumber(Tag("x"), 12, out var expiration) || !TryNumber(Tag("l"), 18, out var length))
        {
            error = "malformed t=, x= or l=";
            return false;
        }

        if (Tag("c") is { } c && !IsCanonicalization(c))
        {
            error = $"unknown canonicalization c={c}";
            return false;
        }

        IReadOnlyList<string> methods = Tag("q") is { } q
            ? [.. q.Split(':').Select(m => m.Trim(' ', '\t', '\r', '\n').ToLowerInvariant())]
            : ["dns/txt"];

        signature = new DkimSignatureHeader
        {
            Algorithm = algorithm,
            Domain = domain,
            Selector = selector,
            SignedHeaders = headers,
            Identity = identity,
            IdentityDomain = identityDomain,
            QueryMethods = methods,
            Timestamp = timestamp,
            Expiration = expiration,
            BodyLength = length,
        };
        return true;
    }

    private static bool IsBase64(string value)
    {
        var text = DkimTagList.RemoveWhiteSpace(value);
        if (text.Length == 0)
        {
            return false;
        }

        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    /// <summary>selector = sub-domain *( "." sub-domain ) (RFC 6376 §3.1); underscores are tolerated as DNS allows them.</summary>
    private static bool IsSelector(string selector)
        => selector.Length is > 0 and <= MailDomainName.MaxLength
            && selector.Split('.').All(l => l.Length is > 0 and <= MailDomainName.MaxLabelLength && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));

    private static bool IsCanonicalization(string value)
    {
        var parts = value.ToLowerInvariant().Split('/');
        return parts.Length is 1 or 2 && parts.All(p => p is "simple" or "relaxed");
    }

    private static bool TryNumber(string? text, int maxDigits, out long? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (text.Length == 0 || text.Length > maxDigits || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }
}
