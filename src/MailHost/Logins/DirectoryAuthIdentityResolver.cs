using MailHost.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Logins;

/// <summary>
/// The built-in <see cref="IAuthIdentityResolver"/>: looks a login up in the <see cref="IAccountDirectory"/> as an
/// account name or an e-mail address (own address or alias), as <see cref="AuthenticationOptions.LoginIdentity"/>
/// allows. A login containing <c>@</c> is an address, anything else an account name; both are canonicalised with
/// <see cref="MailAddressCanonicalizer"/> (NFC, invariant lower case, IDNA domain, one trailing dot removed), so
/// <c>Alice@Example.COM.</c> finds <c>alice@example.com</c> while a full-width or Turkish-İ spelling does not.
/// </summary>
/// <remarks>Each decision is logged at Debug level (event ids 1001-1004) so an operator can see why a login
/// resolved as it did.</remarks>
public sealed partial class DirectoryAuthIdentityResolver : IAuthIdentityResolver
{
    private readonly IAccountDirectory _directory;
    private readonly LoginIdentityMode _mode;
    private readonly ILogger _logger;

    /// <summary>Creates the resolver over <paramref name="directory"/>.</summary>
    public DirectoryAuthIdentityResolver(
        IAccountDirectory directory,
        IOptions<AuthenticationOptions> options,
        ILogger<DirectoryAuthIdentityResolver> logger)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _directory = directory;
        _mode = options.Value.LoginIdentity;
        _logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask<AccountInfo?> ResolveAsync(AuthIdentityRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var login = request.Login;
        if (login.Contains('@', StringComparison.Ordinal))
        {
            if (_mode == LoginIdentityMode.AccountName)
            {
                Log.Refused(_logger, login, "an address, but only account names are accepted");
                return null;
            }

            var address = MailAddressCanonicalizer.CanonicalizeAddress(login);
            if (address is null)
            {
                Log.Refused(_logger, login, "not a valid address");
                return null;
            }

            var byAddress = await _directory.FindByAddressAsync(address, ct).ConfigureAwait(false);
            Log.Resolved(_logger, login, "address", address, byAddress?.Name);
            return byAddress;
        }

        if (_mode == LoginIdentityMode.EmailAddress)
        {
            Log.Refused(_logger, login, "an account name, but only addresses are accepted");
            return null;
        }

        var name = MailAddressCanonicalizer.CanonicalizeAccountName(login);
        if (name is null)
        {
            Log.Refused(_logger, login, "not a valid account name");
            return null;
        }

        var byName = await _directory.FindByNameAsync(name, ct).ConfigureAwait(false);
        Log.Resolved(_logger, login, "account name", name, byName?.Name);
        return byName;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Mirrors <see cref="ResolveAsync"/>: an account name gives its canonical form; an address in a local domain gives
    /// the canonical account name of its local part, as the usual account <c>alice</c> with <c>alice@example.com</c>
    /// would; any other address gives its canonical form. A login this mode never resolves, or one with no canonical
    /// form, gets a tagged key that no account name or address can equal.
    /// </remarks>
    public async ValueTask<string> GetLookupKeyAsync(AuthIdentityRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var login = request.Login;
        var folded = login.Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();
        if (!login.Contains('@', StringComparison.Ordinal))
        {
            return _mode == LoginIdentityMode.EmailAddress
                ? "name:" + folded
                : MailAddressCanonicalizer.CanonicalizeAccountName(login) ?? "invalid:" + folded;
        }

        var address = MailAddressCanonicalizer.CanonicalizeAddress(login);
        if (address is null)
        {
            return "invalid:" + folded;
        }

        if (_mode == LoginIdentityMode.AccountName)
        {
            return "address:" + address;
        }

        var at = address.LastIndexOf('@');
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(address[..at]);
        return name is not null && await _directory.IsLocalDomainAsync(address[(at + 1)..], ct).ConfigureAwait(false) ? name : address;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1113, Level = LogLevel.Debug,
            Message = "Login '{Login}' read as {Form} '{Canonical}', resolved to account '{Account}'")]
        public static partial void Resolved(ILogger logger, string login, string form, string canonical, string? account);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Debug, Message = "Login '{Login}' not resolved: {Reason}")]
        public static partial void Refused(ILogger logger, string login, string reason);
    }
}
