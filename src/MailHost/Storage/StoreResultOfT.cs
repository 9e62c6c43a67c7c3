using System.Diagnostics.CodeAnalysis;

namespace MailHost.Storage;

/// <summary>The outcome of a store operation: a value on success, or a <see cref="StoreError"/>.</summary>
/// <typeparam name="T">The value's type.</typeparam>
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Factories on the result type read best at call sites.")]
public readonly record struct StoreResult<T>
{
    private readonly T? _value;

    private StoreResult(T? value, StoreError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The error, or <see langword="null"/> on success.</summary>
    public StoreError? Error { get; }

    /// <summary>Whether the operation succeeded (then <see cref="Value"/> is set).</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; reading it from a failed result is a programming error.</summary>
    /// <exception cref="InvalidOperationException">The result is a failure.</exception>
    public T Value => Error is null ? _value! : throw new InvalidOperationException($"The store operation failed: {Error.Code}: {Error.Message}");

    /// <summary>A successful result.</summary>
    public static StoreResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static StoreResult<T> Fail(StoreErrorCode code, string message) => new(default, new StoreError(code, message));

    /// <summary>A failed result.</summary>
    public static StoreResult<T> Fail(StoreError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>Wraps a value.</summary>
    public static implicit operator StoreResult<T>(T value) => Success(value);

    /// <summary>Wraps an error.</summary>
    public static implicit operator StoreResult<T>(StoreError error) => Fail(error);

    /// <summary>Wraps a value.</summary>
    public static StoreResult<T> FromT(T value) => Success(value);

    /// <summary>Wraps an error.</summary>
    public static StoreResult<T> FromStoreError(StoreError error) => Fail(error);
}
