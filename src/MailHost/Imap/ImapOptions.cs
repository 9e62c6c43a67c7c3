namespace MailHost.Imap;

/// <summary>IMAP settings (configuration section <c>MailHost:Imap</c>).</summary>
public sealed class ImapOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Imap";

    /// <summary>
    /// Idle time allowed once logged in. RFC 9051 §5.4 requires at least 30 minutes; IDLE restarts it. Default 30 minutes.
    /// The time allowed before login is the endpoint's <see cref="Hosting.MailEndpointOptions.PreAuthenticationIdleTimeout"/>.
    /// </summary>
    public TimeSpan AuthenticatedIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a flush of responses may wait for the client to read them; past it the connection is closed. While a
    /// flush waits no further command is read, so a client that pipelines commands and never reads gets no more than
    /// about 64 KiB of responses buffered on the server before it is cut off. Default 2 minutes.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Malformed or unknown commands in a row before login that close the connection: the 3rd by default.</summary>
    public int MaxBadCommandsBeforeAuthentication { get; set; } = 3;

    /// <summary>Malformed or unknown commands in a row after login that close the connection: the 20th by default.</summary>
    public int MaxBadCommands { get; set; } = 20;

    /// <summary>Longest command line outside literals, in octets. Default 65 536 (RFC 7162 §4 asks for at least 8 192).</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;

    /// <summary>Largest literal other than APPEND data after login (SEARCH strings, names). Default 65 536.</summary>
    public long MaxLiteralSize { get; set; } = 64 * 1024;

    /// <summary>Largest literal before login. Default 8 192 (SECURITY C2).</summary>
    public long MaxLiteralSizeBeforeAuthentication { get; set; } = 8 * 1024;

    /// <summary>Largest message APPEND accepts, advertised as APPENDLIMIT (RFC 7889). Default 52 428 800 (50 MiB).</summary>
    public long MaxAppendSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Deepest nesting of lists and search keys. Default 100 (SECURITY C4).</summary>
    public int MaxNestingDepth { get; set; } = 100;
}
