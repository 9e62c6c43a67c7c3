namespace MailHost.Certificates.Acme;

/// <summary>
/// Publishes and removes the TXT records of the ACME DNS-01 challenge (RFC 8555 §8.4) in the zone of a name the host
/// asks a certificate for. The host's built-in implementation runs the script of <c>MailHost:Certificates:Acme:DnsHook</c>;
/// register another (a DNS provider's API) as a singleton to replace it.
/// </summary>
/// <remarks>
/// A method returns when the record is visible to the ACME server (to the public authoritative servers of the zone),
/// or throws when it cannot be published: the ACME client asks for validation as soon as
/// <see cref="SetTxtRecordAsync"/> returns, and a failed validation costs an attempt against the server's rate limits.
/// Several values may be set on one record name at once (a certificate for <c>example.com</c> and
/// <c>*.example.com</c> needs two): set adds a value, clear removes only the value it is given.
/// </remarks>
public interface IAcmeDnsChallenge
{
    /// <summary>Adds <paramref name="value"/> as a TXT value of <paramref name="recordName"/>.</summary>
    /// <param name="recordName">The record's full name without a trailing dot, e.g. <c>_acme-challenge.mail.example.com</c>.</param>
    /// <param name="value">The TXT value: the base64url SHA-256 of the key authorization (43 characters).</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    Task SetTxtRecordAsync(string recordName, string value, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="value"/> from <paramref name="recordName"/> once the challenge is over, whatever its outcome.</summary>
    /// <param name="recordName">As given to <see cref="SetTxtRecordAsync"/>.</param>
    /// <param name="value">As given to <see cref="SetTxtRecordAsync"/>.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    Task ClearTxtRecordAsync(string recordName, string value, CancellationToken cancellationToken);
}
