using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MailHost.Certificates.Acme;

/// <summary>
/// Obtains one certificate (RFC 8555 §7.1 "Overview" steps): the account, a new order, each authorization answered with
/// the configured challenge type and polled until decided, the order finalized with a CSR for a fresh ECDSA P-256 key,
/// and the chain downloaded. The answers are withdrawn once each authorization is decided, whatever the outcome.
/// </summary>
internal sealed class AcmeIssuer(
    AcmeCertificateFiles files, AcmeTransport transport, AcmeChallengeResponses responses, IAcmeDnsChallenge? dns, AcmeOptions options, ILogger<AcmeIssuer> logger)
{
    /// <summary>How long an authorization or order may stay pending or processing before the attempt is given up.</summary>
    public static readonly TimeSpan PollLimit = TimeSpan.FromMinutes(3);

    private readonly Lock _lock = new();
    private AcmeClient? _client;

    /// <summary>Whether an <see cref="IAcmeDnsChallenge"/> is there to publish DNS-01 records.</summary>
    public bool CanAnswerDns01 => dns is not null;

    /// <summary>Runs one order for <paramref name="names"/> to the end.</summary>
    /// <exception cref="AcmeException">The server refused something, or a challenge failed (the problem is in the message).</exception>
    public async Task<AcmeIssuedCertificate> IssueAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var client = Client();
        var account = await client.EnsureAccountAsync(options.Email, options.AcceptTermsOfService, cancellationToken).ConfigureAwait(false);
        AcmeLog.Account(logger, account);
        AcmeLog.Ordering(logger, string.Join(",", names), options.DirectoryUrl);
        var order = await client.NewOrderAsync(names, cancellationToken).ConfigureAwait(false);
        foreach (var authorization in order.Authorizations)
        {
            await AuthorizeAsync(client, authorization, cancellationToken).ConfigureAwait(false);
        }

        // RFC 8555 §7.4: the order is "ready" once every authorization is valid.
        order = await PollAsync(ct => client.GetOrderAsync(order.Url, ct), o => o.Status != "pending", "order " + order.Url, cancellationToken).ConfigureAwait(false);
        if (order.Status != "ready")
        {
            throw new AcmeException($"The order {order.Url} is {order.Status}, not ready, after its authorizations", order.Error);
        }

        AcmeLog.Finalizing(logger, order.Url);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        order = await client.FinalizeAsync(order, CreateSigningRequest(names, key), cancellationToken).ConfigureAwait(false);
        order = await PollAsync(ct => client.GetOrderAsync(order.Url, ct), o => o.Status is not ("processing" or "ready"), "order " + order.Url, cancellationToken).ConfigureAwait(false);
        if (order.Status != "valid" || order.Certificate is null)
        {
            throw new AcmeException($"The order {order.Url} ended {order.Status} after finalization", order.Error);
        }

        var chain = await client.DownloadCertificateAsync(order.Certificate, cancellationToken).ConfigureAwait(false);
        try
        {
            return AcmeIssuedCertificate.FromChain(chain, key);
        }
        catch (CryptographicException ex)
        {
            throw new AcmeException($"The certificate at {order.Certificate} cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A CSR (RFC 8555 §7.4, PKCS#10 DER) for <paramref name="names"/> in the subject alternative names; the first is
    /// also the common name when it fits the 64 characters X.520 allows.
    /// </summary>
    public static byte[] CreateSigningRequest(IReadOnlyList<string> names, ECDsa key)
    {
        var subject = names[0].Length <= 64 ? "CN=" + names[0] : "";
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternativeNames.AddDnsName(name);
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        return request.CreateSigningRequest();
    }

    private AcmeClient Client()
    {
        lock (_lock)
        {
            return _client ??= new AcmeClient(transport, files.LoadOrCreateAccountKey(), options.DirectoryUrl);
        }
    }

    private async Task AuthorizeAsync(AcmeClient client, string url, CancellationToken cancellationToken)
    {
        var (authorization, _) = await client.GetAuthorizationAsync(url, cancellationToken).ConfigureAwait(false);
        if (authorization.Status == "valid")
        {
            // RFC 8555 §7.1.4: a server may reuse a recent valid authorization of the same account.
            AcmeLog.AlreadyValid(logger, authorization.Identifier);
            return;
        }

        if (authorization.Status != "pending")
        {
            throw new AcmeException($"The authorization for {authorization.Identifier} is {authorization.Status}");
        }

        var type = AcmeChallenge.WireName(options.Challenge);
        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == type)
            ?? throw new AcmeException($"The ACME server offers no {type} challenge for {authorization.Identifier} (it offers {string.Join(", ", authorization.Challenges.Select(c => c.Type))}). Choose another {AcmeOptions.SectionName}:Challenge.");

        // RFC 8555 §8.1: a token is base64url text; anything else must not reach a URL path, a file or a DNS record.
        if (challenge.Token is not { Length: > 0 } token || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new AcmeException($"The {type} challenge for {authorization.Identifier} has no valid token.");
        }

        var keyAuthorization = AcmeKeyAuthorization.For(token, client.Thumbprint);
        var withdraw = await AnswerAsync(authorization.Identifier, token, keyAuthorization, cancellationToken).ConfigureAwait(false);
        try
        {
            AcmeLog.Answering(logger, type, authorization.Identifier);
            await client.RespondAsync(challenge, cancellationToken).ConfigureAwait(false);
            authorization = await PollAsync(ct => client.GetAuthorizationAsync(url, ct), a => a.Status != "pending", "authorization " + url, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await WithdrawAsync(authorization.Identifier, withdraw).ConfigureAwait(false);
        }

        if (authorization.Status != "valid")
        {
            // RFC 8555 §7.1.5: the failed challenge carries the reason in "error".
            var problem = authorization.Challenges.FirstOrDefault(c => c.Type == type)?.Error;
            throw new AcmeException($"The {type} challenge for {authorization.Identifier} failed (authorization {authorization.Status})", problem);
        }

        AcmeLog.Validated(logger, authorization.Identifier);
    }

    /// <summary>Puts the answer where the ACME server will look, and returns how to withdraw it.</summary>
    private async Task<Func<Task>> AnswerAsync(string identifier, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        switch (options.Challenge)
        {
            case AcmeChallengeType.Http01:
                responses.AddHttp01(token, keyAuthorization);
                return () =>
                {
                    responses.RemoveHttp01(token);
                    return Task.CompletedTask;
                };
            case AcmeChallengeType.TlsAlpn01:
                responses.AddTlsAlpn01(identifier, AcmeTlsAlpnCertificate.Create(identifier, keyAuthorization, DateTimeOffset.UtcNow));
                return () =>
                {
                    responses.RemoveTlsAlpn01(identifier);
                    return Task.CompletedTask;
                };
            default:
                var hook = dns ?? throw new AcmeException("No IAcmeDnsChallenge is registered for the dns-01 challenge.");
                var record = AcmeKeyAuthorization.DnsRecordName(identifier);
                var value = AcmeKeyAuthorization.DnsTxtValue(keyAuthorization);
                await hook.SetTxtRecordAsync(record, value, cancellationToken).ConfigureAwait(false);
                return () => hook.ClearTxtRecordAsync(record, value, CancellationToken.None);
        }
    }

    private async Task WithdrawAsync(string identifier, Func<Task> withdraw)
    {
        try
        {
            await withdraw().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A record left behind is harmless to the outcome: it is logged, and the result stands.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AcmeLog.CleanupFailed(logger, identifier, ex);
        }
    }

    /// <summary>
    /// Fetches until <paramref name="decided"/>, waiting as the server's Retry-After asks (RFC 8555 §7.5.1), else a
    /// short interval that grows to 5 s; gives up after <see cref="PollLimit"/>.
    /// </summary>
    private static async Task<T> PollAsync<T>(
        Func<CancellationToken, Task<(T Value, TimeSpan? RetryAfter)>> fetch, Func<T, bool> decided, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var wait = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var (value, retryAfter) = await fetch(cancellationToken).ConfigureAwait(false);
            if (decided(value))
            {
                return value;
            }

            if (clock.Elapsed > PollLimit)
            {
                throw new AcmeException($"The {what} was still undecided after {PollLimit.TotalMinutes:0} minutes.");
            }

            var delay = retryAfter is { } asked ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks)) : wait;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}
