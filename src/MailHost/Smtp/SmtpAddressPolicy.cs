using MailHost.Accounts;
using MailHost.Protocols.Smtp;

namespace MailHost.Smtp;

/// <summary>
/// Decides what an SMTP address is for this server: a local account (addresses, aliases, optional
/// <c>user+tag@</c> subaddressing), an unknown local address, an external address, or a relay trick (SECURITY E1).
/// Addresses are canonicalised with <see cref="MailAddressCanonicalizer"/> before any directory lookup.
/// </summary>
internal sealed class SmtpAddressPolicy(IAccountDirectory directory, string hostname, string? subaddressSeparator)
{
    /// <summary>Classifies a forward-path's mailbox; <c>Account</c> is set for <see cref="SmtpRecipientKind.Local"/>.</summary>
    public async ValueTask<(SmtpRecipientKind Kind, AccountInfo? Account)> ClassifyRecipientAsync(SmtpMailbox mailbox, CancellationToken cancellationToken)
    {
        if (mailbox.Domain.Length == 0)
        {
            // RFC 5321 §4.1.1.3: "<Postmaster>" without a domain names this server's postmaster.
            var postmaster = MailAddressCanonicalizer.CanonicalizeAddress("postmaster@" + hostname);
            var account = postmaster is null ? null : await directory.FindByAddressAsync(postmaster, cancellationToken).ConfigureAwait(false);
            return account is { Disabled: false } ? (SmtpRecipientKind.Local, account) : (SmtpRecipientKind.Unknown, null);
        }

        // SECURITY E1: an address literal or a percent/bang/quoted-@ local part is never delivered or relayed, even
        // when the domain is ours (the "percent hack" would turn it into relaying).
        if (mailbox.AddressLiteral is not null || mailbox.HasRoutingCharacters)
        {
            return (SmtpRecipientKind.RoutingTrick, null);
        }

        // The canonical form drops one trailing dot, so "v@example.com." is local exactly when "v@example.com" is.
        var domain = MailAddressCanonicalizer.CanonicalizeDomain(mailbox.Domain);
        if (domain is null || !await directory.IsLocalDomainAsync(domain, cancellationToken).ConfigureAwait(false))
        {
            return (SmtpRecipientKind.External, null);
        }

        var found = await FindAccountAsync(mailbox.LocalPart, domain, cancellationToken).ConfigureAwait(false);
        return found is { Disabled: false } ? (SmtpRecipientKind.Local, found) : (SmtpRecipientKind.Unknown, null);
    }

    /// <summary>The account that owns <paramref name="mailbox"/> (directly, as an alias or a subaddress), or null.</summary>
    public async ValueTask<AccountInfo?> FindOwnerAsync(SmtpMailbox mailbox, CancellationToken cancellationToken)
    {
        if (mailbox.AddressLiteral is not null || mailbox.HasRoutingCharacters || mailbox.Domain.Length == 0)
        {
            return null;
        }

        var domain = MailAddressCanonicalizer.CanonicalizeDomain(mailbox.Domain);
        return domain is null ? null : await FindAccountAsync(mailbox.LocalPart, domain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The account that owns the header address <paramref name="localPart"/>@<paramref name="domain"/> (directly, as
    /// an alias or a subaddress), or null; an address that is not a plain dot-atom address (quoted local part, routing
    /// characters) is owned by nobody.
    /// </summary>
    public async ValueTask<AccountInfo?> FindOwnerAsync(string localPart, string domain, CancellationToken cancellationToken)
    {
        var canonicalDomain = MailAddressCanonicalizer.CanonicalizeDomain(domain);
        if (canonicalDomain is null || localPart.Length == 0 || localPart.AsSpan().ContainsAny('%', '!', '@'))
        {
            return null;
        }

        return await FindAccountAsync(localPart, canonicalDomain, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<AccountInfo?> FindAccountAsync(string localPart, string domain, CancellationToken cancellationToken)
    {
        var address = MailAddressCanonicalizer.CanonicalizeAddress(localPart + "@" + domain);
        if (address is null)
        {
            return null;
        }

        var account = await directory.FindByAddressAsync(address, cancellationToken).ConfigureAwait(false);
        if (account is not null || string.IsNullOrEmpty(subaddressSeparator))
        {
            return account;
        }

        // RFC 5233 subaddressing: "user+tag" delivers to "user" when "user+tag" itself is not an address.
        var separator = localPart.IndexOf(subaddressSeparator, StringComparison.Ordinal);
        if (separator <= 0)
        {
            return null;
        }

        var baseAddress = MailAddressCanonicalizer.CanonicalizeAddress(localPart[..separator] + "@" + domain);
        return baseAddress is null ? null : await directory.FindByAddressAsync(baseAddress, cancellationToken).ConfigureAwait(false);
    }
}
