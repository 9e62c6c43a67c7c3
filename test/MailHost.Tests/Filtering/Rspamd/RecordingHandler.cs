using System.Net;
using System.Text;

namespace MailHost.Tests.Filtering.Rspamd;

/// <summary>An HTTP handler that records the one request it gets and answers a fixed status and body.</summary>
internal sealed class RecordingHandler(HttpStatusCode status, string body, string? reason = null) : HttpMessageHandler
{
    private readonly Dictionary<string, List<string>> _headers = new(StringComparer.OrdinalIgnoreCase);

    public Uri? Url { get; private set; }

    public HttpMethod? Method { get; private set; }

    public byte[]? Body { get; private set; }

    public long? ContentLength { get; private set; }

    public IReadOnlyList<string> Header(string name) => _headers.TryGetValue(name, out var values) ? values : [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Url = request.RequestUri;
        Method = request.Method;
        foreach (var (name, values) in request.Headers)
        {
            _headers[name] = [.. values];
        }

        if (request.Content is { } content)
        {
            ContentLength = content.Headers.ContentLength;
            Body = await content.ReadAsByteArrayAsync(cancellationToken);
        }

        return new HttpResponseMessage(status)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            ReasonPhrase = reason,
            RequestMessage = request,
        };
    }
}
