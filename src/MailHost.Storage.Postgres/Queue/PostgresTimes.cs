namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// Times as <c>timestamptz</c> keeps them: UTC, whole microseconds. A value is truncated before it is written, so that
/// what a call returns (a lease's end) is exactly what a later read finds.
/// </summary>
internal static class PostgresTimes
{
    public static DateTimeOffset ToStored(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }
}
