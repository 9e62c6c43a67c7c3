using System.Globalization;
using System.Net;

namespace MailHost.Server.Administration.Console;

/// <summary>How the console writes times, durations and addresses: UTC and invariant, the same for every reader.</summary>
internal static class ConsoleFormat
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? time) => time is { } value ? Time(value) : "—";

    public static string Address(IPEndPoint? endPoint) => endPoint is null
        ? "—"
        : (endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address).ToString();

    public static string Duration(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h"),
        { TotalHours: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min"),
        { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds} s"),
    };

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
