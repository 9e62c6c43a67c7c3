using MailHost.Accounts;

namespace MailHost.Server.Administration.Api;

// The JSON bodies of /api/v1. Names are camelCase on the wire (the web defaults of System.Text.Json).

/// <summary>A new local domain.</summary>
internal sealed record DomainCreateRequest(string Name);

/// <summary>A new DKIM key for a domain: the first, or with <c>Rotate</c> a successor of the current one.</summary>
internal sealed record DkimKeyRequest(bool Rotate = false);

/// <summary>A new account with its addresses and password.</summary>
internal sealed record AccountCreateRequest(string Name, IReadOnlyList<string>? Addresses, string Password);

/// <summary>A new password.</summary>
internal sealed record PasswordRequest(string Password);

/// <summary>A mailbox user's own password change: the current one proves it is really them.</summary>
internal sealed record OwnPasswordRequest(string CurrentPassword, string NewPassword);

/// <summary>The administrator role on or off.</summary>
internal sealed record AdministratorRequest(bool Administrator);

/// <summary>An account's own quota limits (null: unlimited); <c>Default</c> returns it to the store's defaults.</summary>
internal sealed record QuotaRequest(long? Storage, long? Messages, bool Default = false);

/// <summary>An account disabled or enabled.</summary>
internal sealed record DisabledRequest(bool Disabled);

/// <summary>A new alias.</summary>
internal sealed record AliasCreateRequest(string Address, string Account);

/// <summary>A new API key.</summary>
internal sealed record ApiKeyCreateRequest(string Name, ApiKeyScope Scope = ApiKeyScope.ReadOnly);

/// <summary>A new API key with its token, shown this once.</summary>
internal sealed record ApiKeyCreatedResponse(ApiKeyInfo Key, string Token);

/// <summary>
/// One login attempt as the API shows it, with the app password it used (null for the account's own password) or the
/// issuer of the bearer token it carried.
/// </summary>
internal sealed record LoginView(
    DateTimeOffset Time, string Login, string Protocol, string Mechanism, string? RemoteAddress, bool Tls, string? ClientName, string Outcome, string? AppPasswordId, string? AppPasswordName,
    string? TokenIssuer)
{
    public static LoginView From(LoginRecord record) => new(
        record.Timestamp, record.Login, record.Protocol, record.Mechanism, record.RemoteEndPoint?.Address.ToString(), record.Tls, record.ClientName, record.Outcome.ToString(),
        record.AppPasswordId, record.AppPasswordName, record.TokenIssuer);
}

/// <summary>An account as the API shows it.</summary>
internal sealed record AccountView(
    string Name, IReadOnlyList<string> Addresses, IReadOnlyList<string> Aliases, bool Disabled, bool Administrator, bool Totp, bool HasPassword, bool RequireAppPasswords,
    DateTimeOffset Created, IReadOnlyList<LoginView> RecentLogins)
{
    public static AccountView From(AccountDetails details) => new(
        details.Account.Name, details.Account.Addresses, details.Account.Aliases, details.Account.Disabled, details.IsAdministrator, details.HasTotp,
        details.HasPassword, details.Account.RequiresAppPasswords, details.Created, details.RecentLogins.Select(LoginView.From).ToList());
}

/// <summary>
/// A new app password: the device it is for, the protocols it may use (<c>imap</c>, <c>pop3</c>, <c>smtp</c>; null for
/// all three), the networks it may log in from (CIDR or addresses; null or empty for any) and its expiry (a duration
/// such as <c>90d</c> or an ISO 8601 date or time; null for never).
/// </summary>
internal sealed record AppPasswordCreateRequest(string Name, IReadOnlyList<string>? Protocols, IReadOnlyList<string>? Networks, string? Expires);

/// <summary>Whether an account's own password is refused for IMAP, POP3 and SMTP, so that only its app passwords log in there.</summary>
internal sealed record AppPasswordsRequiredRequest(bool Required);

/// <summary>The last login with an app password as the API shows it.</summary>
internal sealed record AppPasswordUseView(DateTimeOffset Time, string? RemoteAddress, string Protocol, string? ClientName);

/// <summary>An app password as the API shows it: everything but its secret.</summary>
internal sealed record AppPasswordView(
    string Id, string Name, IReadOnlyList<string> Protocols, IReadOnlyList<string> Networks, DateTimeOffset? Expires, DateTimeOffset Created, AppPasswordUseView? LastUse)
{
    public static AppPasswordView From(AppPasswordInfo info) => new(
        info.Id,
        info.Name,
        info.Protocols == AppPasswordProtocols.None ? [] : AppPasswordFormat.ProtocolsText(info.Protocols).Split(','),
        [.. info.Networks.Select(n => n.ToString())],
        info.Expires,
        info.Created,
        info.LastUse is { } use ? new AppPasswordUseView(use.Time, use.RemoteAddress?.ToString(), use.Protocol, use.ClientName) : null);
}

/// <summary>A new app password with its secret, shown this once.</summary>
internal sealed record AppPasswordCreatedResponse(AppPasswordView AppPassword, string Secret);

/// <summary>The anti-forgery token a signed-in browser sends with API changes, and the header to send it in.</summary>
internal sealed record AntiforgeryTokenResponse(string HeaderName, string Token);
