using System.Net;
using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.Rspamd;

/// <summary>
/// Teaches rspamd's Bayes classifier through its controller worker: a message moved into Junk is posted to
/// <c>/learnspam</c>, one moved out of it to <c>/learnham</c>, with the controller's <c>Password</c> header. A message
/// rspamd had already learned that way, or will not learn because it has too few words, counts as done; any other
/// refusal throws with rspamd's status and error text.
/// </summary>
internal sealed class RspamdJunkLearner : IJunkLearner, IDisposable
{
    private readonly RspamdOptions _options;
    private readonly Uri _learnSpam;
    private readonly Uri _learnHam;
    private readonly HttpClient _client;
    private readonly ILogger _logger;

    /// <summary>A learner for <paramref name="options"/>, whose <see cref="RspamdOptions.ControllerUrl"/> must be an absolute URL.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="logger">Where learned messages are logged.</param>
    /// <param name="handler">For tests: the HTTP handler to send through; null for a client of its own.</param>
    public RspamdJunkLearner(RspamdOptions options, ILogger<RspamdJunkLearner> logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var controller = new Uri(options.ControllerUrl ?? throw new ArgumentException("ControllerUrl is not set.", nameof(options)));
        _learnSpam = RspamdHttp.Endpoint(controller, "learnspam");
        _learnHam = RspamdHttp.Endpoint(controller, "learnham");
        _client = RspamdHttp.CreateClient(handler);
        _logger = logger;
    }

    public string Name => "rspamd";

    public async Task LearnAsync(string accountName, JunkClassification classification, Stream message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (url, kind) = classification == JunkClassification.Junk ? (_learnSpam, "spam") : (_learnHam, "ham");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(message) };
        if (message.CanSeek)
        {
            // Otherwise the body goes chunked, which rspamd's controller reads as well.
            request.Content.Headers.ContentLength = message.Length - message.Position;
        }

        if (!string.IsNullOrEmpty(_options.Password))
        {
            request.Headers.TryAddWithoutValidation("Password", _options.Password);
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            // 208 Already Reported: a message learned the same way before (rspamd keeps the learned messages' digests).
            case HttpStatusCode.AlreadyReported:
                RspamdLog.AlreadyLearned(_logger, accountName, kind, RspamdHttp.ErrorText(response, body));
                return;

            // 204 with the reason in the status line: rspamd skipped the message (fewer tokens than the classifier's
            // min_tokens, or already classified with high probability). Sending it again will not change that.
            case HttpStatusCode.NoContent:
                RspamdLog.NotLearned(_logger, accountName, kind, RspamdHttp.ErrorText(response, body));
                return;

            case var status when (int)status is >= 200 and < 300:
                RspamdLog.Learned(_logger, accountName, kind);
                return;
        }

        var error = RspamdHttp.ErrorText(response, body);

        // The same as 208 in other setups (rspamd 3.4 with the sqlite3 backend, for one): 404 "<message-id> has been
        // already learned as spam, ignore it".
        if (response.StatusCode == HttpStatusCode.NotFound && error.Contains("already learned", StringComparison.OrdinalIgnoreCase))
        {
            RspamdLog.AlreadyLearned(_logger, accountName, kind, error);
            return;
        }

        throw new HttpRequestException($"rspamd's controller at {url} did not learn the message as {kind}: {(int)response.StatusCode} {error}", null, response.StatusCode);
    }

    public void Dispose() => _client.Dispose();
}
