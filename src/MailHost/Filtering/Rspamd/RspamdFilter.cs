using System.Net.Http.Headers;
using System.Text;
using MimeKit;
using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.Rspamd;

/// <summary>
/// Scans each message with rspamd's normal worker (<c>POST /checkv2</c>, rspamd protocol) and answers rspamd's action
/// as the verdict (<see cref="RspamdVerdicts"/>). The message is streamed from the spool, never held in memory.
/// A failure (rspamd down, a non-2xx status, a reply that is not rspamd's JSON) throws; the pipeline then applies
/// <see cref="InboundFilterPolicy.OnFailure"/>.
/// </summary>
internal sealed class RspamdFilter : IInboundMessageFilter, IDisposable
{
    private readonly RspamdOptions _options;
    private readonly Uri _checkUrl;
    private readonly HttpClient _client;
    private readonly ILogger _logger;

    /// <summary>A filter for <paramref name="options"/>, whose <see cref="RspamdOptions.Url"/> must be an absolute URL.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="logger">Where the verdicts' summaries go (debug).</param>
    /// <param name="handler">For tests: the HTTP handler to send through; null for a client of its own.</param>
    public RspamdFilter(RspamdOptions options, ILogger<RspamdFilter> logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _checkUrl = RspamdHttp.Endpoint(new Uri(options.Url ?? throw new ArgumentException("Url is not set.", nameof(options))), "checkv2");
        _client = RspamdHttp.CreateClient(handler);
        _logger = logger;
    }

    public string Name => "rspamd";

    public InboundFilterPolicy Policy => _options;

    public async ValueTask<InboundFilterVerdict> MessageAsync(
        InboundFilterSession session, InboundFilterEnvelope envelope, InboundFilterMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length > _options.MaxMessageSize)
        {
            RspamdLog.TooBig(_logger, envelope.TransactionId, message.Length, _options.MaxMessageSize);
            return InboundFilterVerdict.Of(InboundFilterAction.Accept, $"not scanned: {message.Length} octets, over MaxMessageSize {_options.MaxMessageSize}");
        }

        var reply = await CheckAsync(session, envelope, message, cancellationToken).ConfigureAwait(false);
        if (!RspamdVerdicts.IsKnown(reply.Action))
        {
            RspamdLog.UnknownAction(_logger, envelope.TransactionId, RspamdText.ReplyText(reply.Action, "?", 40));
        }

        string? originalSubject = null;
        if (reply.Action == RspamdActions.RewriteSubject && string.IsNullOrWhiteSpace(reply.Subject))
        {
            originalSubject = await ReadSubjectAsync(message, cancellationToken).ConfigureAwait(false);
        }

        var verdict = RspamdVerdicts.Map(reply, originalSubject);
        RspamdLog.Judged(_logger, envelope.TransactionId, verdict.Summary ?? "");
        return verdict;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The request headers of rspamd's protocol ("HTTP headers" table) that carry what rspamd cannot read from the
    /// message: the envelope, the client and this server. Without them rspamd judges SPF, HELO and the recipients blind.
    /// </summary>
    internal static void AddEnvelopeHeaders(HttpRequestHeaders headers, InboundFilterSession session, InboundFilterEnvelope envelope)
    {
        if (session.ClientAddress is { } address)
        {
            headers.TryAddWithoutValidation("IP", (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());
        }

        if (session.HeloName is { Length: > 0 } helo)
        {
            headers.TryAddWithoutValidation("Helo", Clean(helo));
        }

        // rspamd reads an empty From as the null reverse path; "<>" says so explicitly (RFC 5321 §4.5.5).
        headers.TryAddWithoutValidation("From", envelope.Sender.Length == 0 ? "<>" : Clean(envelope.Sender));

        // One value per recipient. HttpClient writes the values of one custom header on one line joined by ", ", and
        // rspamd reads a Rcpt header as a comma-separated list (as rspamd 3.4 does), so every recipient arrives.
        foreach (var recipient in envelope.Recipients)
        {
            headers.TryAddWithoutValidation("Rcpt", Clean(recipient));
        }

        headers.TryAddWithoutValidation("Queue-Id", Clean(envelope.TransactionId));
        headers.TryAddWithoutValidation("MTA-Name", Clean(session.ServerName));
        if (session.AuthenticatedAccount is { Length: > 0 } account)
        {
            // rspamd treats the message as submitted by an authenticated user (no SPF, no RBL on the client).
            headers.TryAddWithoutValidation("User", Clean(account));
        }

        // TlsDescription is "TLSv1.3 TLS_AES_256_GCM_SHA384", as in the Received field; rspamd wants the two apart.
        if (session.IsTls && session.TlsDescription is { } tls && tls.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) is [var version, var cipher])
        {
            headers.TryAddWithoutValidation("TLS-Version", Clean(version));
            headers.TryAddWithoutValidation("TLS-Cipher", Clean(cipher));
        }
    }

    private async Task<RspamdReply> CheckAsync(
        InboundFilterSession session, InboundFilterEnvelope envelope, InboundFilterMessage message, CancellationToken cancellationToken)
    {
        var body = await message.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _checkUrl) { Content = new StreamContent(body) };
            request.Content.Headers.ContentLength = message.Length;
            AddEnvelopeHeaders(request.Headers, session, envelope);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"rspamd at {_checkUrl} answered {(int)response.StatusCode}: {RspamdHttp.ErrorText(response, bytes)}", null, response.StatusCode);
            }

            return RspamdReply.TryParse(bytes, out var reply, out var error)
                ? reply
                : throw new InvalidDataException($"rspamd at {_checkUrl} sent a reply that is not /checkv2's JSON: {error}");
        }
    }

    /// <summary>The raw value of the message's first Subject field (encoded words kept as they are); null when it has none.</summary>
    private static async Task<string?> ReadSubjectAsync(InboundFilterMessage message, CancellationToken cancellationToken)
    {
        var stream = await message.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var headers = await HeaderList.LoadAsync(ParserOptions.Default, stream, cancellationToken).ConfigureAwait(false);
            var subject = headers.FirstOrDefault(header => header.Id == HeaderId.Subject);
            return subject is null ? null : Encoding.UTF8.GetString(subject.RawValue);
        }
    }

    /// <summary>No line breaks or other control characters in a request header (they would end it early).</summary>
    private static string Clean(string value) => RspamdText.HeaderValue(value);
}
