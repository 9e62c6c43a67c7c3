using System.Diagnostics.Metrics;
using MailHost.Connections;

namespace MailHost.Filtering;

/// <summary>The filter pipeline's instruments on the <c>MailHost</c> meter.</summary>
internal static class InboundFilterMetrics
{
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public static readonly Counter<long> Verdicts = MailHostMetrics.Meter.CreateCounter<long>(
        "mailhost.filter.verdicts", unit: "{verdict}",
        description: "Verdicts of inbound filters, by filter, stage (connect, helo, mail, rcpt, message) and action (accept, allow, reject, tempfail, discard, junk, quarantine; failed when the filter could not judge).");

    public static readonly Histogram<double> Duration = MailHostMetrics.Meter.CreateHistogram(
        "mailhost.filter.duration", unit: "s",
        description: "Time an inbound filter took for one stage, by filter and stage.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Counter<long> JunkLearned = MailHostMetrics.Meter.CreateCounter<long>(
        "mailhost.junk.learned", unit: "{message}",
        description: "Messages taught to a spam classifier after users moved them into or out of Junk, by learner, classification (junk, notjunk) and outcome (learned, failed, dropped).");

    public static string StageName(InboundFilterStage stage) => stage switch
    {
        InboundFilterStage.Connect => "connect",
        InboundFilterStage.Helo => "helo",
        InboundFilterStage.MailFrom => "mail",
        InboundFilterStage.Recipient => "rcpt",
        _ => "message",
    };

    public static string ActionName(InboundFilterAction action) => action switch
    {
        InboundFilterAction.Accept => "accept",
        InboundFilterAction.Allow => "allow",
        InboundFilterAction.Reject => "reject",
        InboundFilterAction.TempFail => "tempfail",
        InboundFilterAction.Discard => "discard",
        InboundFilterAction.Junk => "junk",
        _ => "quarantine",
    };
}
