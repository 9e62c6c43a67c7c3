using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.Hosting;
using MailHost.Protocols.Smtp;
using Microsoft.Extensions.Logging;

namespace MailHost.Filtering;

/// <summary>
/// Runs the registered <see cref="IInboundMessageFilter"/>s at one stage of an SMTP session, in their configured
/// order, each within its time limit, and turns their verdicts into the session's answer: go on (recording header
/// changes and a disposition for the message), or refuse with a reply.
/// </summary>
/// <remarks>
/// A filter that throws or runs out of time has not judged: with <see cref="InboundFilterFailurePolicy.TempFail"/>
/// the stage is refused with a temporary error, so no <c>250</c> is given for a message a required filter could not
/// check; with <see cref="InboundFilterFailurePolicy.Accept"/> the message goes on and carries a header field saying
/// which filter did not check it.
/// </remarks>
internal sealed partial class InboundFilterPipeline
{
    /// <summary>The header field that records a filter that could not judge a message its policy let through.</summary>
    public const string UncheckedField = "X-MailHost-Filter-Unchecked";

    private readonly IInboundMessageFilter[] _filters;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public InboundFilterPipeline(IEnumerable<IInboundMessageFilter> filters, ILogger<InboundFilterPipeline> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(filters);

        // OrderBy is stable: equal orders keep their registration order.
        _filters = [.. filters.OrderBy(f => f.Policy.Order)];
        _logger = logger;
        _timeProvider = timeProvider;
        if (_filters.Length > 0)
        {
            InboundFilterLog.Configured(logger, string.Join(", ", _filters.Select(f => $"{f.Name} (order {f.Policy.Order}, {f.Policy.Timeout.TotalSeconds:0.#} s, on failure {f.Policy.OnFailure}{(f.Policy.OnSubmission ? ", also on submission" : "")})")));
        }
    }

    /// <summary>The filters in the order they run.</summary>
    public IReadOnlyList<IInboundMessageFilter> Filters => _filters;

    /// <summary>Whether any filter runs on endpoints of <paramref name="protocol"/>.</summary>
    public bool AppliesTo(MailProtocol protocol) => _filters.Any(f => protocol != MailProtocol.Submission || f.Policy.OnSubmission);

    public ValueTask<InboundFilterDecision> ConnectAsync(InboundFilterRun run)
        => RunAsync(InboundFilterStage.Connect, run, (f, ct) => f.ConnectAsync(run.Session, ct));

    public ValueTask<InboundFilterDecision> HeloAsync(InboundFilterRun run)
        => RunAsync(InboundFilterStage.Helo, run, (f, ct) => f.HeloAsync(run.Session, ct));

    public ValueTask<InboundFilterDecision> MailFromAsync(InboundFilterRun run, InboundFilterEnvelope envelope)
        => RunAsync(InboundFilterStage.MailFrom, run, (f, ct) => f.MailFromAsync(run.Session, envelope, ct));

    public ValueTask<InboundFilterDecision> RecipientAsync(InboundFilterRun run, InboundFilterEnvelope envelope, string recipient)
        => RunAsync(InboundFilterStage.Recipient, run, (f, ct) => f.RecipientAsync(run.Session, envelope, recipient, ct));

    public ValueTask<InboundFilterDecision> MessageAsync(InboundFilterRun run, InboundFilterEnvelope envelope, InboundFilterMessage message)
        => RunAsync(InboundFilterStage.Message, run, (f, ct) => f.MessageAsync(run.Session, envelope, message, ct));

    private async ValueTask<InboundFilterDecision> RunAsync(
        InboundFilterStage stage, InboundFilterRun run, Func<IInboundMessageFilter, CancellationToken, ValueTask<InboundFilterVerdict>> ask)
    {
        foreach (var filter in _filters)
        {
            if (run.Allowed)
            {
                break;
            }

            if (run.Session.Protocol == MailProtocol.Submission && !filter.Policy.OnSubmission)
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            InboundFilterVerdict verdict;
            using (var limit = new CancellationTokenSource(filter.Policy.Timeout, _timeProvider))
            {
                try
                {
                    verdict = await ask(filter, limit.Token).ConfigureAwait(false) ?? InboundFilterVerdict.Accept;
                }
#pragma warning disable CA1031 // A filter is outside code: whatever it throws means it did not judge, and its policy decides.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    var reason = ex is OperationCanceledException && limit.IsCancellationRequested
                        ? $"no answer within {filter.Policy.Timeout.TotalSeconds:0.#} s"
                        : ex.Message;
                    Measure(filter, stage, "failed", started);
                    InboundFilterLog.Failed(_logger, filter.Name, stage, reason, filter.Policy.OnFailure, ex is OperationCanceledException ? null : ex);
                    if (filter.Policy.OnFailure == InboundFilterFailurePolicy.TempFail)
                    {
                        return new InboundFilterDecision(Unchecked(stage));
                    }

                    run.RecordUnjudged(stage, InboundHeaderChange.Add(UncheckedField, filter.Name + "; " + Sanitize(reason, 200)), filter.Name + ": not checked (" + reason + ")");
                    continue;
                }
            }

            Measure(filter, stage, InboundFilterMetrics.ActionName(verdict.Action), started);
            if (verdict.Action != InboundFilterAction.Accept || verdict.Summary is not null)
            {
                InboundFilterLog.Verdict(_logger, filter.Name, stage, verdict.Action, verdict.Summary ?? "");
            }

            run.Record(stage, filter.Name, verdict);
            switch (verdict.Action)
            {
                case InboundFilterAction.Allow:
                    run.Allowed = true;
                    break;
                case InboundFilterAction.Reject:
                    return new InboundFilterDecision(Refusal(verdict, stage, permanent: true));
                case InboundFilterAction.TempFail:
                    return new InboundFilterDecision(Refusal(verdict, stage, permanent: false));
                case InboundFilterAction.Discard:
                    // Nothing of this message will be kept: no later filter needs to look at it.
                    return InboundFilterDecision.Continue;
            }
        }

        return InboundFilterDecision.Continue;
    }

    /// <summary>
    /// The reply for a refusal: 554 or 421 at connect; later the filter's code and enhanced code when they are of the
    /// right class, else 550 or 451 with 5.7.1 or 4.7.1; the text it gave reduced to printable ASCII.
    /// </summary>
    private static SmtpReply Refusal(InboundFilterVerdict verdict, InboundFilterStage stage, bool permanent)
    {
        var replyClass = permanent ? 5 : 4;
        // RFC 5321 §3.1 and §4.3.2: a greeting is 220, 554 or 421, whatever the filter asked for.
        var code = stage == InboundFilterStage.Connect ? (permanent ? 554 : 421)
            : verdict.ReplyCode is { } given && given / 100 == replyClass && given < 600 ? given
            : permanent ? 550 : 451;
        var enhanced = verdict.EnhancedStatusCode is { } e && EnhancedStatusCode().IsMatch(e) && e[0] - '0' == replyClass
            ? e
            : permanent ? "5.7.1" : "4.7.1";
        var text = Sanitize(verdict.ReplyText, 400);
        if (text.Length == 0)
        {
            text = permanent ? "Refused by local policy" : "Temporarily refused by local policy, try again later";
        }

        return new SmtpReply(code, enhanced, text);
    }

    private static SmtpReply Unchecked(InboundFilterStage stage) => stage switch
    {
        InboundFilterStage.Connect => new SmtpReply(421, "4.7.1", "Service temporarily unavailable, try again later"),
        InboundFilterStage.Message => new SmtpReply(451, "4.7.1", "The message could not be checked now, try again later"),
        _ => new SmtpReply(451, "4.7.1", "Temporary local problem, try again later"),
    };

    private static void Measure(IInboundMessageFilter filter, InboundFilterStage stage, string action, long started)
    {
        var filterTag = new KeyValuePair<string, object?>("filter", filter.Name);
        var stageTag = new KeyValuePair<string, object?>("stage", InboundFilterMetrics.StageName(stage));
        InboundFilterMetrics.Verdicts.Add(1, filterTag, stageTag, new KeyValuePair<string, object?>("action", action));
        InboundFilterMetrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, filterTag, stageTag);
    }

    /// <summary>
    /// Text from a filter or its service reduced to what may go into a reply or a header field: printable ASCII
    /// (anything else becomes <c>?</c>), no line breaks, at most <paramref name="max"/> characters.
    /// </summary>
    internal static string Sanitize(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length == max)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : c is '\r' or '\n' or '\t' ? ' ' : '?');
        }

        return builder.ToString().Trim();
    }

    [GeneratedRegex(@"^[245]\.[0-9]{1,3}\.[0-9]{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnhancedStatusCode();
}
