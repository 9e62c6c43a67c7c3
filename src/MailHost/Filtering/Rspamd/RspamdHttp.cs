using System.Net;
using System.Text;
using System.Text.Json;

namespace MailHost.Filtering.Rspamd;

/// <summary>What the filter and the learner share of talking HTTP to rspamd's workers.</summary>
internal static class RspamdHttp
{
    /// <summary>rspamd's replies are small (a score and the symbols); more is refused rather than buffered.</summary>
    public const int MaxReplySize = 4 * 1024 * 1024;

    /// <summary>
    /// A client for one rspamd service. The caller's cancellation token is the only time limit (the pipeline's
    /// <see cref="InboundFilterPolicy.Timeout"/>), so <see cref="HttpClient.Timeout"/> is infinite. rspamd is a local
    /// service: no proxy. Pooled connections are renewed every few minutes so a changed DNS name is followed.
    /// </summary>
    public static HttpClient CreateClient(HttpMessageHandler? handler = null)
    {
        handler ??= new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            // Envelope addresses may be UTF-8 (RFC 6531); rspamd reads its request headers as UTF-8.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxReplySize,
        };
    }

    /// <summary>
    /// <paramref name="path"/> below <paramref name="baseUrl"/>, keeping a path prefix of the base (an rspamd behind a
    /// reverse proxy at <c>/rspamd/</c>).
    /// </summary>
    public static Uri Endpoint(Uri baseUrl, string path)
    {
        var text = baseUrl.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    /// <summary>
    /// What rspamd said about a failure: the <c>error</c> of its JSON answer (<c>{"error":"..."}</c>), else the
    /// reason phrase it puts the same text in, cleaned for a log line.
    /// </summary>
    public static string ErrorText(HttpResponseMessage response, ReadOnlyMemory<byte> body)
    {
        string? error = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var value) && value.ValueKind == JsonValueKind.String)
            {
                error = value.GetString();
            }
        }
        catch (JsonException)
        {
            // Not rspamd's JSON (a proxy's error page): the reason phrase or the start of the body says enough.
            error = body.Length == 0 ? null : Encoding.UTF8.GetString(body.Span[..Math.Min(body.Length, 200)]);
        }

        return RspamdText.ReplyText(error ?? response.ReasonPhrase, "no reason given", 300);
    }
}
