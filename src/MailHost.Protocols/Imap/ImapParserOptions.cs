namespace MailHost.Protocols.Imap;

/// <summary>Limits and behaviour of <see cref="ImapCommandParser"/>. Every limit has an exact error (see the parser docs).</summary>
public sealed class ImapParserOptions
{
    /// <summary>
    /// Maximum bytes of a command outside its literals, every CRLF included. Default 65 536 (64 KiB; RFC 7162 §4 asks
    /// for at least 8 192). Over it: untagged-or-tagged <c>BAD [TOOBIG] Command line too long</c> and <see cref="ImapResync.Close"/>.
    /// </summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    /// <summary>Largest literal accepted before authentication, APPEND messages included. Default 8 192 (SECURITY C2).</summary>
    public long MaxLiteralSizeUnauthenticated { get; init; } = 8 * 1024;

    /// <summary>
    /// Largest literal buffered by the parser after authentication (every literal except APPEND messages:
    /// LOGIN passwords, SEARCH strings, mailbox names). Default 65 536.
    /// </summary>
    public long MaxLiteralSize { get; init; } = 64 * 1024;

    /// <summary>Largest APPEND message after authentication: the advertised APPENDLIMIT (RFC 7889). Default 52 428 800 (50 MiB).</summary>
    public long MaxAppendSize { get; init; } = 50L * 1024 * 1024;

    /// <summary>Total bytes of buffered (non-APPEND) literals in one command. Default 262 144.</summary>
    public long MaxLiteralBytesPerCommand { get; init; } = 256 * 1024;

    /// <summary>Most messages in one MULTIAPPEND command (RFC 3502). Default 1 000.</summary>
    public int MaxAppendMessages { get; init; } = 1000;

    /// <summary>Deepest nesting of parenthesised lists and search keys (NOT, OR, parentheses). Default 100 (SECURITY C4).</summary>
    public int MaxNestingDepth { get; init; } = 100;

    /// <summary>Longest tag. Default 64.</summary>
    public int MaxTagLength { get; init; } = 64;

    /// <summary>
    /// True when the server advertises LITERAL- rather than LITERAL+ (RFC 7888): non-synchronizing literals over
    /// 4 096 bytes are then refused with <c>BAD [TOOBIG]</c> and discarded. Default false (LITERAL+).
    /// </summary>
    public bool LiteralMinus { get; init; }

    /// <summary>RFC 7888 §4: the largest non-synchronizing literal allowed under LITERAL-.</summary>
    public const long LiteralMinusMaxSize = 4096;

    /// <summary>The defaults.</summary>
    public static ImapParserOptions Default { get; } = new();
}
