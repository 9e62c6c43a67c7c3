using System.Globalization;

namespace MailHost.Filtering.Rspamd;

/// <summary>
/// Turns rspamd's reply into a verdict: the action decides what happens, the scores and symbols go into
/// <c>X-Spam-*</c> header fields of every message that is delivered, and the milter block's header changes are applied.
/// </summary>
internal static class RspamdVerdicts
{
    /// <summary>The longest <c>X-Spam-Symbols</c> value: one line, well under RFC 5322 §2.1.1's 998 octets.</summary>
    public const int MaxSymbolsLength = 900;

    /// <summary>The longest reply text taken from rspamd, so the reply line stays under RFC 5321 §4.5.3.1.5's 512 octets.</summary>
    public const int MaxReplyTextLength = 400;

    /// <summary>The longest symbol list in the log summary.</summary>
    public const int MaxSummarySymbolsLength = 300;

    /// <summary>What goes before the original subject when rspamd asks to rewrite it without saying how.</summary>
    public const string SpamSubjectPrefix = "***SPAM***";

    /// <summary>
    /// The verdict for <paramref name="reply"/>. <paramref name="originalSubject"/> (the message's raw Subject, null
    /// when it has none) is used only for <c>rewrite subject</c> when rspamd sent no <c>subject</c>.
    /// </summary>
    public static InboundFilterVerdict Map(RspamdReply reply, string? originalSubject = null)
    {
        var summary = Summary(reply);
        var spam = IsSpam(reply);
        return reply.Action switch
        {
            // RFC 3463 §3.8: X.7.1, delivery not authorized, message refused; 554 as rspamd's own milter answers.
            RspamdActions.Reject => InboundFilterVerdict.Reject(Text(reply, "Message rejected as spam"), 554) with { Summary = summary },
            RspamdActions.SoftReject => InboundFilterVerdict.TempFail(Text(reply, "Try again later")) with { Summary = summary },
            RspamdActions.Greylist => InboundFilterVerdict.TempFail(Text(reply, "Greylisted, try again later")) with { Summary = summary },

            // A rewritten subject marks the message in the inbox; it is not moved to Junk.
            RspamdActions.RewriteSubject => InboundFilterVerdict.Of(InboundFilterAction.Accept, summary)
                .WithHeaders(Headers(reply, spam))
                .WithHeaders(InboundHeaderChange.Replace("Subject", RewrittenSubject(reply, originalSubject))),
            RspamdActions.AddHeader => InboundFilterVerdict.Of(InboundFilterAction.Junk, summary).WithHeaders(Headers(reply, spam)),
            RspamdActions.Discard => InboundFilterVerdict.Of(InboundFilterAction.Discard, summary),
            RspamdActions.Quarantine => InboundFilterVerdict.Of(InboundFilterAction.Quarantine, summary).WithHeaders(Headers(reply, spam)),

            // "no action", and actions of a newer rspamd or a custom configuration: deliver, with the score recorded.
            _ => InboundFilterVerdict.Of(InboundFilterAction.Accept, summary).WithHeaders(Headers(reply, spam)),
        };
    }

    /// <summary>Whether <paramref name="action"/> is one this mapping knows.</summary>
    public static bool IsKnown(string action) => action is RspamdActions.NoAction or RspamdActions.Greylist or RspamdActions.AddHeader
        or RspamdActions.RewriteSubject or RspamdActions.SoftReject or RspamdActions.Reject or RspamdActions.Discard or RspamdActions.Quarantine;

    /// <summary><c>action=add header score=6.20/15.00 symbols=A,B,C</c>: short, for the log; no message content.</summary>
    public static string Summary(RspamdReply reply)
    {
        var summary = $"action={RspamdText.ReplyText(reply.Action, "?", 40)} score={Score(reply.Score)}/{Score(reply.RequiredScore)}";
        var symbols = SymbolNames(reply);
        return symbols.Count == 0 ? summary : summary + " symbols=" + RspamdText.JoinCapped(symbols, ",", MaxSummarySymbolsLength);
    }

    /// <summary>
    /// The <c>X-Spam-*</c> fields, replacing any the sender put in (they would claim a judgement rspamd did not make),
    /// then the milter block's changes. A field the milter block adds wins over MailHost's of the same name, as the
    /// operator configured it in rspamd on purpose.
    /// </summary>
    private static List<InboundHeaderChange> Headers(RspamdReply reply, bool spam)
    {
        var score = Score(reply.Score);
        var required = Score(reply.RequiredScore);
        var own = new List<InboundHeaderChange>
        {
            InboundHeaderChange.Replace("X-Spam-Score", $"{score} / {required}"),
            InboundHeaderChange.Replace("X-Spam-Action", RspamdText.HeaderValue(reply.Action)),
            InboundHeaderChange.Replace("X-Spam-Status", $"{(spam ? "Yes" : "No")}, score={score} required={required}"),
        };
        var symbols = SymbolNames(reply);
        if (symbols.Count > 0)
        {
            own.Add(InboundHeaderChange.Replace("X-Spam-Symbols", RspamdText.JoinCapped(symbols, ", ", MaxSymbolsLength)));
        }

        own.Add(spam ? InboundHeaderChange.Replace("X-Spam", "Yes") : InboundHeaderChange.Remove("X-Spam"));

        var milter = MilterChanges(reply, own.Select(change => change.Name));
        var milterAdded = milter.Where(change => change.Kind != InboundHeaderChangeKind.Remove).Select(change => change.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        own.RemoveAll(change => milterAdded.Contains(change.Name));
        own.AddRange(milter);
        return own;
    }

    /// <summary>
    /// The milter block as header changes. rspamd's milter removes before it adds (rspamd protocol, "milter"), so a name
    /// both removed and added, or one MailHost replaces itself, becomes one replace followed by adds; a removal of a
    /// single instance (index other than 0) is not supported by MailHost's header changes and is skipped, as are
    /// invalid field names.
    /// </summary>
    private static List<InboundHeaderChange> MilterChanges(RspamdReply reply, IEnumerable<string> ownNames)
    {
        var own = ownNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var removeAll = reply.RemoveHeaders
            .Where(removal => removal.Value == 0 && RspamdText.IsFieldName(removal.Key))
            .Select(removal => removal.Key)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var replaced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var changes = new List<InboundHeaderChange>();
        foreach (var (name, value) in reply.AddHeaders)
        {
            if (!RspamdText.IsFieldName(name))
            {
                continue;
            }

            var clean = RspamdText.HeaderValue(value);
            changes.Add((removeAll.Contains(name) || own.Contains(name)) && replaced.Add(name)
                ? InboundHeaderChange.Replace(name, clean)
                : InboundHeaderChange.Add(name, clean));
        }

        // MailHost's own fields already replace whatever the sender put in.
        changes.AddRange(removeAll.Where(name => !replaced.Contains(name) && !own.Contains(name)).Select(InboundHeaderChange.Remove));
        return changes;
    }

    private static string RewrittenSubject(RspamdReply reply, string? originalSubject)
    {
        var subject = reply.Subject is null ? "" : RspamdText.HeaderValue(reply.Subject);
        if (subject.Length > 0)
        {
            return subject;
        }

        var original = originalSubject is null ? "" : RspamdText.HeaderValue(originalSubject);
        return original.Length == 0 ? SpamSubjectPrefix : SpamSubjectPrefix + " " + original;
    }

    /// <summary>Spam for the X-Spam fields: any action but "no action", or for an unknown action a score at the reject line.</summary>
    private static bool IsSpam(RspamdReply reply) => reply.Action switch
    {
        RspamdActions.NoAction => false,
        _ when IsKnown(reply.Action) => true,
        _ => reply.RequiredScore > 0 && reply.Score >= reply.RequiredScore,
    };

    private static string Text(RspamdReply reply, string fallback) => RspamdText.ReplyText(reply.SmtpMessage, fallback, MaxReplyTextLength);

    private static List<string> SymbolNames(RspamdReply reply)
        => reply.Symbols.Select(symbol => RspamdText.SymbolName(symbol.Name)).Where(name => name.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string Score(double score) => score.ToString("0.00", CultureInfo.InvariantCulture);
}
