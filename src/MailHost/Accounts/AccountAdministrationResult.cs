namespace MailHost.Accounts;

/// <summary>
/// The outcome of one account-administration request: success, or the reason it was refused, each with a
/// sentence fit to show an operator. Messages never contain password material.
/// </summary>
/// <param name="Error"><see cref="AccountAdministrationError.None"/> on success, otherwise why the request was refused.</param>
/// <param name="Message">What happened, as one sentence.</param>
public readonly record struct AccountAdministrationResult(AccountAdministrationError Error, string Message)
{
    /// <summary>Whether the request succeeded (and its change is durable).</summary>
    public bool Succeeded => Error == AccountAdministrationError.None;

    /// <summary>A successful result with <paramref name="message"/>.</summary>
    public static AccountAdministrationResult Success(string message) => new(AccountAdministrationError.None, message);

    /// <summary>A refusal with <paramref name="error"/> and <paramref name="message"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is <see cref="AccountAdministrationError.None"/>.</exception>
    public static AccountAdministrationResult Failure(AccountAdministrationError error, string message)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(error, AccountAdministrationError.None);
        return new(error, message);
    }
}
