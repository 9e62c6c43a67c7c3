using System.Net;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MailHost.Protocols.Smtp;
using MailHost.Tests.Delivery;

namespace MailHost.Tests.MailAuthentication;

/// <summary>
/// A sender domain example.org: SPF allows 192.0.2.1, DKIM keys "rsa" and "ed" publish the test keys, and the
/// DMARC record is what each test sets.
/// </summary>
internal sealed class MailAuthenticatorFixture
{
    public const string Hostname = "mx.example.net";

    public FakeDnsZone Zone { get; } = new();

    public MailAuthenticationOptions Options { get; } = new();

    public PublicSuffixList Suffixes { get; set; } = PublicSuffixList.Fallback;

    public int PercentRoll { get; set; } = 99;

    public TimeProvider Time { get; set; } = TimeProvider.System;

    public MailAuthenticatorFixture()
    {
        Zone.Txt["example.org"] = ["v=spf1 ip4:192.0.2.1 -all"];
        Zone.Txt["bounces.example.org"] = ["v=spf1 ip4:192.0.2.1 -all"];
        Zone.Txt["other.example"] = ["v=spf1 ip4:192.0.2.1 -all"];
        Zone.Txt["rsa._domainkey.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey)];
        Zone.Txt["ed._domainkey.example.org"] = [DkimTestKeys.Ed25519Record()];
        Zone.Txt["rsa._domainkey.mail.example.org"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey)];
        Zone.Txt["rsa._domainkey.other.example"] = [DkimTestKeys.RsaRecord(DkimTestKeys.RsaKey)];
    }

    public MailAuthenticator Create() => new(Zone, Options, Hostname, Time, Suffixes, () => PercentRoll);

    public static MailAuthenticationRequest Request(string mailFrom = "sender@example.org", string ip = "192.0.2.1", string? helo = "client.example.org")
    {
        var at = mailFrom.LastIndexOf('@');
        var mailbox = mailFrom.Length == 0 ? null : new SmtpMailbox(mailFrom[..at], mailFrom[(at + 1)..]);
        return new MailAuthenticationRequest(IPAddress.Parse(ip), helo, mailbox) { MessageId = "test" };
    }

    public async Task<MailAuthenticationResult> AuthenticateAsync(byte[] message, MailAuthenticationRequest? request = null)
    {
        using var stream = new MemoryStream(message);
        return await Create().AuthenticateAsync(request ?? Request(), stream, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
