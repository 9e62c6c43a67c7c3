namespace MailHost.Filtering;

/// <summary>
/// A filter's answer to one stage: an action, the SMTP reply for a refusal, header changes for the stored message,
/// and a short summary for the log (a score and the rules that matched).
/// </summary>
public sealed record InboundFilterVerdict
{
    /// <summary>Accept without changes.</summary>
    public static InboundFilterVerdict Accept { get; } = new() { Action = InboundFilterAction.Accept };

    /// <summary>What to do.</summary>
    public InboundFilterAction Action { get; init; }

    /// <summary>
    /// The reply code for <see cref="InboundFilterAction.Reject"/> (5xx, default 550; 554 at connect) or
    /// <see cref="InboundFilterAction.TempFail"/> (4xx, default 451); ignored otherwise.
    /// </summary>
    public int? ReplyCode { get; init; }

    /// <summary>The enhanced status code (RFC 3463) for a refusal; default <c>5.7.1</c> or <c>4.7.1</c>.</summary>
    public string? EnhancedStatusCode { get; init; }

    /// <summary>The text of a refusal, shown to the sender: printable ASCII only, no line breaks.</summary>
    public string? ReplyText { get; init; }

    /// <summary>Header changes for the stored message, applied when it is delivered (verdicts of every stage count).</summary>
    public IReadOnlyList<InboundHeaderChange> HeaderChanges { get; init; } = [];

    /// <summary>A short description for the log (<c>score=3.2/15 symbols=...</c>), never the message content.</summary>
    public string? Summary { get; init; }

    /// <summary>Refuses permanently.</summary>
    public static InboundFilterVerdict Reject(string text, int code = 550, string enhancedStatusCode = "5.7.1")
        => new() { Action = InboundFilterAction.Reject, ReplyText = text, ReplyCode = code, EnhancedStatusCode = enhancedStatusCode };

    /// <summary>Refuses for now; the client tries again later.</summary>
    public static InboundFilterVerdict TempFail(string text, int code = 451, string enhancedStatusCode = "4.7.1")
        => new() { Action = InboundFilterAction.TempFail, ReplyText = text, ReplyCode = code, EnhancedStatusCode = enhancedStatusCode };

    /// <summary>An action without a reply of its own (<see cref="InboundFilterAction.Discard"/>, <see cref="InboundFilterAction.Junk"/>, ...).</summary>
    public static InboundFilterVerdict Of(InboundFilterAction action, string? summary = null) => new() { Action = action, Summary = summary };

    /// <summary>This verdict with <paramref name="changes"/> added to its header changes.</summary>
    public InboundFilterVerdict WithHeaders(params IEnumerable<InboundHeaderChange> changes)
        => this with { HeaderChanges = [.. HeaderChanges, .. changes] };
}
