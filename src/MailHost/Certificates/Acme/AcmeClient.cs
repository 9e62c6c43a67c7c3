using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>
/// The ACME operations MailHost needs (RFC 8555 §7): the account, orders, authorizations, challenges, finalization and
/// the certificate download. One account per directory; its URL (the "kid") is learned once per process, by
/// newAccount, which returns the existing account for a known key (§7.3.1).
/// </summary>
internal sealed class AcmeClient(AcmeTransport transport, AcmeAccountKey key, string directoryUrl)
{
    private AcmeDirectory? _directory;
    private string? _accountUrl;

    /// <summary>The account key's RFC 7638 thumbprint, for key authorizations.</summary>
    public string Thumbprint => key.Thumbprint;

    /// <summary>Creates the account, or finds the one of this key (RFC 8555 §7.3), and returns its URL.</summary>
    /// <exception cref="AcmeException">The server refused, or needs external account binding (not supported).</exception>
    public async Task<string> EnsureAccountAsync(string? email, bool termsOfServiceAgreed, CancellationToken cancellationToken)
    {
        if (_accountUrl is not null)
        {
            return _accountUrl;
        }

        var directory = await DirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (directory.ExternalAccountRequired)
        {
            throw new AcmeException($"The ACME server {directoryUrl} requires external account binding (RFC 8555 §7.3.4), which MailHost does not support. Use an ACME server that does not, such as Let's Encrypt.");
        }

        var payload = Json(writer =>
        {
            writer.WriteBoolean("termsOfServiceAgreed", termsOfServiceAgreed);
            if (!string.IsNullOrWhiteSpace(email))
            {
                writer.WriteStartArray("contact");
                writer.WriteStringValue("mailto:" + email.Trim());
                writer.WriteEndArray();
            }
        });
        var response = await transport.PostAsync(directory, key, accountUrl: null, directory.NewAccount, payload, accept: null, cancellationToken).ConfigureAwait(false);
        _accountUrl = response.Location ?? throw new AcmeException($"newAccount at {directory.NewAccount} answered without the account's Location.");
        return _accountUrl;
    }

    /// <summary>Places an order for <paramref name="names"/> (RFC 8555 §7.4).</summary>
    public async Task<AcmeOrder> NewOrderAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var directory = await DirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = Json(writer =>
        {
            writer.WriteStartArray("identifiers");
            foreach (var name in names)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "dns");
                writer.WriteString("value", name);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
        var response = await PostAsync(directory.NewOrder, payload, null, cancellationToken).ConfigureAwait(false);
        var url = response.Location ?? throw new AcmeException($"newOrder at {directory.NewOrder} answered without the order's Location.");
        return AcmeOrder.From(url, AcmeJson.Object(response.Body, "order"));
    }

    /// <summary>Fetches an order (POST-as-GET), with the server's Retry-After.</summary>
    public async Task<(AcmeOrder Order, TimeSpan? RetryAfter)> GetOrderAsync(string url, CancellationToken cancellationToken)
    {
        var response = await PostAsync(url, null, null, cancellationToken).ConfigureAwait(false);
        return (AcmeOrder.From(url, AcmeJson.Object(response.Body, "order")), response.RetryAfter);
    }

    /// <summary>Fetches an authorization (POST-as-GET), with the server's Retry-After.</summary>
    public async Task<(AcmeAuthorization Authorization, TimeSpan? RetryAfter)> GetAuthorizationAsync(string url, CancellationToken cancellationToken)
    {
        var response = await PostAsync(url, null, null, cancellationToken).ConfigureAwait(false);
        return (AcmeAuthorization.From(url, AcmeJson.Object(response.Body, "authorization")), response.RetryAfter);
    }

    /// <summary>Tells the server the challenge is ready to be validated: a POST of <c>{}</c> (RFC 8555 §7.5.1).</summary>
    public Task RespondAsync(AcmeChallenge challenge, CancellationToken cancellationToken) =>
        PostAsync(challenge.Url, "{}", null, cancellationToken);

    /// <summary>Sends the CSR (DER) to the order's finalize URL (RFC 8555 §7.4) and returns the order as it is then.</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] certificateRequest, CancellationToken cancellationToken)
    {
        var payload = Json(writer => writer.WriteString("csr", Base64Url.EncodeToString(certificateRequest)));
        var response = await PostAsync(order.Finalize, payload, null, cancellationToken).ConfigureAwait(false);
        return AcmeOrder.From(order.Url, AcmeJson.Object(response.Body, "order"));
    }

    /// <summary>Downloads the certificate chain as PEM, leaf first (RFC 8555 §7.4.2).</summary>
    public async Task<string> DownloadCertificateAsync(string url, CancellationToken cancellationToken)
    {
        var response = await PostAsync(url, null, "application/pem-certificate-chain", cancellationToken).ConfigureAwait(false);
        return Encoding.ASCII.GetString(response.Body.Span);
    }

    private async Task<AcmeResponse> PostAsync(string url, string? payload, string? accept, CancellationToken cancellationToken)
    {
        var directory = await DirectoryAsync(cancellationToken).ConfigureAwait(false);
        var account = _accountUrl ?? throw new InvalidOperationException("EnsureAccountAsync must come first.");
        return await transport.PostAsync(directory, key, account, url, payload, accept, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AcmeDirectory> DirectoryAsync(CancellationToken cancellationToken) =>
        _directory ??= await transport.GetDirectoryAsync(directoryUrl, cancellationToken).ConfigureAwait(false);

    private static string Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
