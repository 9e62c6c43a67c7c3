using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MailHost.Certificates.Acme;

/// <summary>
/// ACME over HTTPS (RFC 8555 §6): every request but the directory and newNonce is a POST whose body is a JWS signed
/// with the account key and carrying a fresh anti-replay nonce (§6.5). Keeps the nonce of the last response for the
/// next request, fetches one from newNonce when it has none, and retries a request refused with
/// <c>badNonce</c> with the nonce the refusal carried, as §6.5 asks.
/// </summary>
internal sealed class AcmeTransport(HttpClient http, TimeProvider time, ILogger logger)
{
    /// <summary>How many times one request is retried after badNonce; servers reject a small share of good nonces.</summary>
    public const int MaxBadNonceRetries = 15;

    private readonly Lock _lock = new();
    private string? _nonce;

    /// <summary>Fetches and reads the directory (RFC 8555 §7.1.1), a plain GET.</summary>
    public async Task<AcmeDirectory> GetDirectoryAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new AcmeException($"The ACME directory {url} answered {(int)response.StatusCode}", AcmeProblem.Parse(body));
        }

        return AcmeDirectory.From(AcmeJson.Object(body, "directory"));
    }

    /// <summary>
    /// Signs and POSTs <paramref name="payloadJson"/> to <paramref name="url"/> (null: a POST-as-GET, RFC 8555 §6.3).
    /// </summary>
    /// <param name="directory">The server's directory, for newNonce.</param>
    /// <param name="key">The account key that signs.</param>
    /// <param name="accountUrl">The "kid"; null sends the public key (newAccount only).</param>
    /// <param name="url">The resource posted to.</param>
    /// <param name="payloadJson">The JSON payload.</param>
    /// <param name="accept">The media type asked for, when not JSON (the certificate chain, RFC 8555 §7.4.2).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="AcmeException">The server answered with an error, or with badNonce too often.</exception>
    public async Task<AcmeResponse> PostAsync(
        AcmeDirectory directory, AcmeAccountKey key, string? accountUrl, string url, string? payloadJson, string? accept, CancellationToken cancellationToken)
    {
        var payload = payloadJson is null ? [] : Encoding.UTF8.GetBytes(payloadJson);
        for (var attempt = 0; ; attempt++)
        {
            var nonce = TakeNonce() ?? await NewNonceAsync(directory, cancellationToken).ConfigureAwait(false);
            var body = AcmeJws.Sign(key, url, nonce, accountUrl, payload, postAsGet: payloadJson is null);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(AcmeJws.ContentType);
            if (accept is not null)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            }

            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            KeepNonce(response);
            var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new AcmeResponse((int)response.StatusCode, content, response.Headers.Location?.ToString(), RetryAfter(response));
            }

            var problem = AcmeProblem.Parse(content);
            if (problem is { IsBadNonce: true } && attempt < MaxBadNonceRetries)
            {
                AcmeLog.BadNonce(logger, url, attempt + 1);
                continue;
            }

            throw new AcmeException($"POST {url} was refused with {(int)response.StatusCode}", problem);
        }
    }

    /// <summary>Creates the HTTP client ACME requests go through; <paramref name="extraRoot"/> is trusted for the server's HTTPS besides the system roots.</summary>
    public static HttpClient CreateHttpClient(X509Certificate2? extraRoot)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (extraRoot is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrusted(certificate, chain, errors, extraRoot),
            };
        }

        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60), MaxResponseContentBufferSize = 1024 * 1024 };

        // RFC 8555 §6.1: "ACME clients MUST send a User-Agent header field".
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MailHost-ACME", typeof(AcmeTransport).Assembly.GetName().Version?.ToString(3) ?? "1"));
        return client;
    }

    /// <summary>The system's verdict, or for a chain the system does not trust, whether it ends at <paramref name="extraRoot"/>.</summary>
    private static bool IsTrusted(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2 extraRoot)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // A name mismatch or a missing certificate is never forgiven; only the trust anchor is added.
        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(extraRoot);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    private string? TakeNonce()
    {
        lock (_lock)
        {
            var nonce = _nonce;
            _nonce = null;
            return nonce;
        }
    }

    private void KeepNonce(HttpResponseMessage response)
    {
        // RFC 8555 §6.5: every response carries a fresh nonce, error responses included.
        if (response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } nonce)
        {
            lock (_lock)
            {
                _nonce = nonce;
            }
        }
    }

    private async Task<string> NewNonceAsync(AcmeDirectory directory, CancellationToken cancellationToken)
    {
        // RFC 8555 §7.2: HEAD newNonce answers 200 with a Replay-Nonce.
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        KeepNonce(response);
        return TakeNonce() ?? throw new AcmeException($"HEAD {directory.NewNonce} answered {(int)response.StatusCode} without a Replay-Nonce.");
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retry = response.Headers.RetryAfter;
        if (retry?.Delta is { } delta)
        {
            return delta;
        }

        return retry?.Date is { } date ? date - time.GetUtcNow() : null;
    }
}
