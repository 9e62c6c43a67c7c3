using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.DnsLists;

/// <summary>DNS list filter log messages; event ids 5360-5379 are stable.</summary>
internal static partial class DnsListLog
{
    [LoggerMessage(5360, LogLevel.Information, "Client {Address} is listed by block list {Zone} ({Codes}): {Action}; reason: {Reason}")]
    public static partial void Listed(ILogger logger, string address, string zone, string codes, DnsListAction action, string reason);

    [LoggerMessage(5361, LogLevel.Information, "Client {Address} is listed by allow list {Zone} ({Codes}): accepted")]
    public static partial void Allowed(ILogger logger, string address, string zone, string codes);

    [LoggerMessage(5362, LogLevel.Warning, "DNS list {Zone} answered {Answers} for {QueryName}: outside 127.0.0.0/8, where list answers belong (RFC 5782 §2.1), so not a listing; check the zone name ({Held} more since the last warning)")]
    public static partial void AnswerOutsideLoopback(ILogger logger, string zone, string answers, string queryName, int held);

    [LoggerMessage(5363, LogLevel.Warning, "DNS list {Zone} answered {Answers} for {QueryName}: a code lists use to refuse queries (queries through a public resolver, or too many), so not a listing; use a resolver of your own or the list's paid service ({Held} more since the last warning)")]
    public static partial void QueryRefused(ILogger logger, string zone, string answers, string queryName, int held);

    [LoggerMessage(5364, LogLevel.Warning, "DNS list {Zone} gave no answer for {QueryName}: {Problem} ({Held} more since the last warning)")]
    public static partial void NoAnswer(ILogger logger, string zone, string queryName, string problem, int held);

    [LoggerMessage(5365, LogLevel.Debug, "Client {Address}: DNS list verdict from the cache: {Summary}")]
    public static partial void Cached(ILogger logger, string address, string? summary);

    [LoggerMessage(5366, LogLevel.Debug, "Client {Address}: {Summary}")]
    public static partial void NotListed(ILogger logger, string address, string summary);
}
