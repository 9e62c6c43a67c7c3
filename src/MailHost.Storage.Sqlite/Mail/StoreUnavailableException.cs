namespace MailHost.Storage.Sqlite.Mail;

/// <summary>A write could not be made durable; turned into <see cref="StoreErrorCode.Unavailable"/> at the API boundary.</summary>
internal sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
