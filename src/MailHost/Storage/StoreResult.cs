namespace MailHost.Storage;

/// <summary>The outcome of a store operation that returns no value: success, or a <see cref="StoreError"/>.</summary>
public readonly record struct StoreResult
{
    private StoreResult(StoreError? error) => Error = error;

    /// <summary>A successful result.</summary>
    public static StoreResult Success => default;

    /// <summary>The error, or <see langword="null"/> on success.</summary>
    public StoreError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>A failed result.</summary>
    public static StoreResult Fail(StoreErrorCode code, string message) => new(new StoreError(code, message));

    /// <summary>A failed result.</summary>
    public static StoreResult Fail(StoreError error) => new(error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>Converts an error into a failed result.</summary>
    public static implicit operator StoreResult(StoreError error) => Fail(error);

    /// <summary>Converts an error into a failed result.</summary>
    public static StoreResult FromStoreError(StoreError error) => Fail(error);
}
