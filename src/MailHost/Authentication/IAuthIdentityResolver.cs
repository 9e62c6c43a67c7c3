using System.Text;
using MailHost.Accounts;

namespace MailHost.Authentication;

/// <summary>
/// Maps what a client typed as its login (IMAP LOGIN name, POP3 USER, SASL authcid) to an account.
/// Register your own implementation to accept other login forms (a customer number, an LDAP name, a login that
/// depends on the listening port); the built-in one is <see cref="DirectoryAuthIdentityResolver"/>.
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item>It is called for every login attempt, including ones that will fail, so it must be cheap and must not
/// reveal through timing or exceptions whether a login exists.</item>
/// <item><see cref="AuthIdentityRequest.Login"/> is non-empty, at most 255 characters, valid UTF-16 and free of
/// control characters; it is otherwise exactly what the client sent (not canonicalised). Never pass it unescaped
/// into SQL, LDAP filters, format strings or a shell.</item>
/// <item>It must not throw for any input: return <see langword="null"/> for "no such account". Exceptions are for
/// infrastructure faults (directory unreachable) and fail the attempt.</item>
/// <item>It does not check secrets: the authenticators verify the password or SCRAM proof of the returned account
/// against <see cref="IAccountDirectory.GetPasswordRecordAsync"/>. A disabled account may be returned: the
/// authenticators refuse it.</item>
/// <item>It is used by singletons and from many connections at once: register it as a singleton (or transient)
/// and make it thread-safe.</item>
/// </list>
/// </remarks>
public interface IAuthIdentityResolver
{
    /// <summary>Resolves the account for one login attempt; <see langword="null"/> when the login names no account.</summary>
    ValueTask<AccountInfo?> ResolveAsync(AuthIdentityRequest request, CancellationToken ct);

    /// <summary>
    /// The form a login that resolved to no account would be looked up by: two spellings that would find the same
    /// account, were there one, give the same text. Called only when <see cref="ResolveAsync"/> returned
    /// <see langword="null"/>; the result keys the throttle and the fake SCRAM salt of that login, so that an unknown
    /// login shows the same relations between its spellings as a real account (one salt for <c>carol</c>,
    /// <c>Carol@example.com</c> and a decomposed-Unicode <c>carol</c>). The same contract as
    /// <see cref="ResolveAsync"/>: cheap, thread-safe, never throwing for any input. The default is the login in NFC,
    /// lower-cased with the invariant culture.
    /// </summary>
    ValueTask<string> GetLookupKeyAsync(AuthIdentityRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValueTask.FromResult(request.Login.Normalize(NormalizationForm.FormC).ToLowerInvariant());
    }
}
