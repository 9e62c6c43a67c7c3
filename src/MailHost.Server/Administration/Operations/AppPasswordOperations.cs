using System.Globalization;
using System.Net;
using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.Options;

namespace MailHost.Server.Administration.Operations;

/// <summary>The outcome of creating an app password: the app password with its secret, or no such account, or why the input was refused.</summary>
internal sealed record AppPasswordCreation(AppPasswordCreated? Created, bool UnknownAccount, string? Problem);

/// <summary>
/// App passwords of accounts, for the command line and the API alike: made (the secret shown once), listed, revoked,
/// and required instead of the account's own password for mail; every change audited. Operator input (protocol lists,
/// networks, expiry) is read here, so both give the same answers.
/// </summary>
internal sealed class AppPasswordOperations(IAppPasswordAdministration appPasswords, AdminAudit audit, IOptions<AuthenticationOptions> authentication, TimeProvider time)
{
    /// <summary>The longest expiry accepted as a duration or a date: about 100 years.</summary>
    private const int MaxExpiryDays = 36_500;

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>The account's app passwords, newest first; null when there is no such account.</summary>
    public Task<IReadOnlyList<AppPasswordInfo>?> ListAsync(string account, CancellationToken cancellationToken) =>
        appPasswords.ListAppPasswordsAsync(account, cancellationToken).AsTask();

    /// <summary>
    /// Makes an app password from operator input: a name, a protocol list (<c>imap,pop3,smtp</c>; null for all three),
    /// networks (CIDR or single addresses; none for any) and an expiry (see <see cref="TryParseExpiry"/>; null for never).
    /// </summary>
    public async Task<AppPasswordCreation> CreateAsync(
        AdminActor actor, string account, string? name, string? protocols, IReadOnlyList<string> networks, string? expires, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(networks);
        if (!AppPasswordFormat.IsValidName(name))
        {
            return Refused(string.Create(CultureInfo.InvariantCulture, $"An app password needs a name (the device it is for) of 1 to {AppPasswordFormat.MaxNameLength} printable characters."));
        }

        var allowed = AppPasswordProtocols.All;
        if (protocols is not null && !AppPasswordFormat.TryParseProtocols(protocols, out allowed, out var protocolError))
        {
            return Refused(Sentence(protocolError));
        }

        if (networks.Count > AppPasswordFormat.MaxNetworks)
        {
            return Refused(string.Create(CultureInfo.InvariantCulture, $"An app password lists at most {AppPasswordFormat.MaxNetworks} networks."));
        }

        var parsed = new List<IPNetwork>(networks.Count);
        foreach (var text in networks)
        {
            if (!AppPasswordFormat.TryParseNetwork(text, out var network, out var networkError))
            {
                return Refused(Sentence(networkError));
            }

            if (!parsed.Contains(network))
            {
                parsed.Add(network);
            }
        }

        DateTimeOffset? expiry = null;
        if (expires is not null)
        {
            if (!TryParseExpiry(expires, time.GetUtcNow(), out var at, out var expiryError))
            {
                return Refused(expiryError);
            }

            expiry = at;
        }

        var request = new NewAppPassword(name, allowed, parsed, expiry);
        var created = await appPasswords.CreateAppPasswordAsync(account, request, authentication.Value.PasswordIterations, cancellationToken).ConfigureAwait(false);
        if (created is null)
        {
            return new AppPasswordCreation(null, true, $"There is no account {Quote(account)}.");
        }

        await audit.RecordAsync(actor, AuditActions.AppPasswordCreate, Canonical(account), Describe(created.AppPassword), cancellationToken).ConfigureAwait(false);
        return new AppPasswordCreation(created, false, null);
    }

    /// <summary>Revokes one app password of the account; false when it has none with that id (or there is no such account).</summary>
    public async Task<bool> RevokeAsync(AdminActor actor, string account, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);

        // Its name goes to the audit log with the id: read first, as the row is gone afterwards.
        var existing = await appPasswords.ListAppPasswordsAsync(account, cancellationToken).ConfigureAwait(false);
        var canonicalId = id.ToLowerInvariant();
        if (!await appPasswords.RevokeAppPasswordAsync(account, id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var name = existing?.FirstOrDefault(p => p.Id == canonicalId)?.Name;
        var detail = name is null ? canonicalId : $"{canonicalId} ({name})";
        await audit.RecordAsync(actor, AuditActions.AppPasswordRevoke, Canonical(account), detail, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Requires app passwords for the account's mail logins, or with <paramref name="required"/> false accepts its own password again.</summary>
    public async Task<AccountAdministrationResult> SetRequiredAsync(AdminActor actor, string account, bool required, CancellationToken cancellationToken)
    {
        var result = await appPasswords.SetAppPasswordsRequiredAsync(account, required, cancellationToken).ConfigureAwait(false);
        var action = required ? AuditActions.AppPasswordsRequire : AuditActions.AppPasswordsOptional;
        return await audit.RecordAsync(actor, action, Canonical(account), result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads an expiry: a duration from <paramref name="now"/> (<c>90d</c>, <c>12w</c>, <c>36h</c>), an ISO 8601 date
    /// (<c>2027-03-31</c>: the start of that day, UTC) or date and time (<c>2027-03-31T18:00</c> in UTC, or with its
    /// offset: <c>2027-03-31T18:00+02:00</c>). It must lie in the future and within about 100 years.
    /// </summary>
    public static bool TryParseExpiry(string text, DateTimeOffset now, out DateTimeOffset expires, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        expires = default;
        error = string.Empty;
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && trimmed[^1] is 'd' or 'w' or 'h' or 'D' or 'W' or 'H'
            && int.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            var span = char.ToLowerInvariant(trimmed[^1]) switch
            {
                'd' => TimeSpan.FromDays(Math.Min(count, MaxExpiryDays + 1)),
                'w' => TimeSpan.FromDays(Math.Min(count, (MaxExpiryDays / 7) + 1) * 7L),
                _ => TimeSpan.FromHours(Math.Min(count, (MaxExpiryDays * 24) + 1)),
            };
            expires = now + span;
        }
        else if (DateTimeOffset.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParseExact(trimmed, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            expires = date.ToUniversalTime();
        }
        else
        {
            error = $"{Quote(text)} is not an expiry: give a duration such as 90d, 12w or 36h, or an ISO 8601 date such as 2027-03-31 (or 2027-03-31T18:00Z).";
            return false;
        }

        if (expires <= now)
        {
            error = $"The expiry {expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} is not in the future.";
            return false;
        }

        if (expires > now.AddDays(MaxExpiryDays))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"The expiry is more than {MaxExpiryDays / 365} years away; leave it out for an app password that does not expire.");
            return false;
        }

        return true;
    }

    /// <summary>The audit log's detail of a new app password: its id, name and rules (never its secret).</summary>
    public static string Describe(AppPasswordInfo appPassword)
    {
        ArgumentNullException.ThrowIfNull(appPassword);
        return $"{appPassword.Id} ({appPassword.Name}): {Rules(appPassword)}";
    }

    /// <summary>What the app password may do, in words: <c>imap,smtp; networks 192.0.2.0/24; expires 2027-03-31 00:00:00Z</c>.</summary>
    public static string Rules(AppPasswordInfo appPassword)
    {
        ArgumentNullException.ThrowIfNull(appPassword);
        var networks = appPassword.Networks.Count == 0 ? "any network" : "networks " + string.Join(", ", appPassword.Networks);
        var expires = appPassword.Expires is { } at
            ? "expires " + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "no expiry";
        return $"{AppPasswordFormat.ProtocolsText(appPassword.Protocols)}; {networks}; {expires}";
    }

    private static AppPasswordCreation Refused(string problem) => new(null, false, problem);

    // The format's errors are phrased for the command line ("unknown protocol ..."); a result is a sentence.
    private static string Sentence(string error) => char.ToUpperInvariant(error[0]) + error[1..] + ".";

    private static string Quote(string text) => MailHost.Accounts.Sql.DirectoryText.Quote(text);

    private static string Canonical(string name) => MailAddressCanonicalizer.CanonicalizeAccountName(name) ?? name;
}
