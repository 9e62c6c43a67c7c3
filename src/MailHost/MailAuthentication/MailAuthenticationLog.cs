using Microsoft.Extensions.Logging;

namespace MailHost.MailAuthentication;

/// <summary>Mail authentication log messages; event ids 5200-5299 are stable.</summary>
internal static partial class MailAuthenticationLog
{
    [LoggerMessage(5200, LogLevel.Information, "Mail authentication for {MessageId}: spf={Spf} dkim={Dkim} dmarc={Dmarc} from={FromDomain} disposition={Disposition} ({Queries} DNS lookups)")]
    public static partial void Verdict(ILogger logger, string messageId, string spf, string dkim, string dmarc, string fromDomain, string disposition, int queries);

    [LoggerMessage(5201, LogLevel.Warning, "Message {MessageId}: {Count} incoming Authentication-Results fields claimed this server's identity and were renamed X-Original-Authentication-Results")]
    public static partial void ForgedResults(ILogger logger, string messageId, int count);

    [LoggerMessage(5202, LogLevel.Information, "Public Suffix List loaded from {Path}: {Rules} rules")]
    public static partial void SuffixListLoaded(ILogger logger, string path, int rules);

    [LoggerMessage(5203, LogLevel.Warning, "No Public Suffix List at {Path}: DMARC organizational domains use the built-in fallback (last two labels, three under common registries). Install the publicsuffix package or set MailHost:MailAuthentication:PublicSuffixListPath.")]
    public static partial void SuffixListMissing(ILogger logger, string path);

    [LoggerMessage(5204, LogLevel.Error, "Mail authentication for {MessageId} failed unexpectedly; the message is delivered with temperror results")]
    public static partial void Failed(ILogger logger, string messageId, Exception exception);

    [LoggerMessage(5205, LogLevel.Warning, "The Public Suffix List at {Path} could not be read; using the built-in fallback")]
    public static partial void SuffixListUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(5206, LogLevel.Warning, "The DNS resolver left {Count} mail authentication lookups in a row unanswered; lookups now fail at once (temperror results, mail still flows) and one lookup tests the resolver every {Period}")]
    public static partial void ResolverFailingFast(ILogger logger, int count, TimeSpan period);

    [LoggerMessage(5207, LogLevel.Information, "The DNS resolver answers again after {Duration}; mail authentication lookups go to it again")]
    public static partial void ResolverAnswersAgain(ILogger logger, TimeSpan duration);
}
