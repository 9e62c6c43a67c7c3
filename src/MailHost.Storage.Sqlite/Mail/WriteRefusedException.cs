namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Carries a write's refusal out of the writer, so that the writer rolls back the write's savepoint: a refused write
/// leaves nothing behind, even when a step of it had already changed rows. Never leaves the store.
/// </summary>
internal sealed class WriteRefusedException : Exception
{
    public WriteRefusedException(StoreError error)
        : base(error.Message) => Error = error;

    public StoreError Error { get; }

    public static StoreResult<T> ThrowIfRefused<T>(StoreResult<T> result) => result.IsSuccess ? result : throw new WriteRefusedException(result.Error);
}
