using System.Globalization;
using MailHost.Accounts;
using MailHost.Logins;

namespace EmbeddedMailServer;

/// <summary>
/// A company's own login rule: staff log in with their employee number ("E1042" or just "1042"), which the
/// HR system maps to a mail account. Anything else falls back to MailHost's built-in rules (account name or
/// address), so both kinds of login work side by side.
/// </summary>
public sealed class EmployeeNumberResolver(EmployeeRegistry registry, IAccountDirectory directory, DirectoryAuthIdentityResolver fallback) : IAuthIdentityResolver
{
    public async ValueTask<AccountInfo?> ResolveAsync(AuthIdentityRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var digits = request.Login.StartsWith('E') || request.Login.StartsWith('e') ? request.Login[1..] : request.Login;
        if (digits.Length is > 0 and <= 9
            && digits.All(char.IsAsciiDigit)
            && registry.TryGetAccount(int.Parse(digits, CultureInfo.InvariantCulture), out var accountName))
        {
            return await directory.FindByNameAsync(accountName, ct).ConfigureAwait(false);
        }

        return await fallback.ResolveAsync(request, ct).ConfigureAwait(false);
    }
}
