namespace MailHost.Filtering;

/// <summary>
/// One filter of the inbound pipeline: asked at each stage of an SMTP session on the MX endpoint (and on submission
/// when its <see cref="InboundFilterPolicy.OnSubmission"/> says so), it answers with a verdict. Every stage has a
/// default that accepts, so a filter implements only the stages it judges (a block list the connection, a spam or
/// virus scanner the message).
/// </summary>
/// <remarks>
/// Filters are singletons called concurrently by many sessions. A filter that throws or exceeds
/// <see cref="InboundFilterPolicy.Timeout"/> has failed: the pipeline applies <see cref="InboundFilterPolicy.OnFailure"/>
/// (accept with a header saying so, or a temporary failure), never a <c>250</c> for a message a required filter
/// could not judge.
/// </remarks>
public interface IInboundMessageFilter
{
    /// <summary>A short lower-case name for logs, metrics and the header fields that report a failure (<c>rspamd</c>).</summary>
    string Name { get; }

    /// <summary>The filter's place in the pipeline, time limit and failure policy.</summary>
    InboundFilterPolicy Policy { get; }

    /// <summary>The client connected, before the greeting (RFC 5321 §3.1).</summary>
    ValueTask<InboundFilterVerdict> ConnectAsync(InboundFilterSession session, CancellationToken cancellationToken)
        => ValueTask.FromResult(InboundFilterVerdict.Accept);

    /// <summary>The client sent EHLO or HELO (<see cref="InboundFilterSession.HeloName"/> is set).</summary>
    ValueTask<InboundFilterVerdict> HeloAsync(InboundFilterSession session, CancellationToken cancellationToken)
        => ValueTask.FromResult(InboundFilterVerdict.Accept);

    /// <summary>MAIL FROM was accepted by the server's own checks (<see cref="InboundFilterEnvelope.Sender"/> is set).</summary>
    ValueTask<InboundFilterVerdict> MailFromAsync(InboundFilterSession session, InboundFilterEnvelope envelope, CancellationToken cancellationToken)
        => ValueTask.FromResult(InboundFilterVerdict.Accept);

    /// <summary>
    /// One RCPT TO was accepted by the server's own checks; <paramref name="recipient"/> is not yet in
    /// <see cref="InboundFilterEnvelope.Recipients"/>. A refusal here refuses this recipient only.
    /// </summary>
    ValueTask<InboundFilterVerdict> RecipientAsync(InboundFilterSession session, InboundFilterEnvelope envelope, string recipient, CancellationToken cancellationToken)
        => ValueTask.FromResult(InboundFilterVerdict.Accept);

    /// <summary>The whole message arrived (end of DATA or BDAT LAST) and passed the server's own checks.</summary>
    ValueTask<InboundFilterVerdict> MessageAsync(InboundFilterSession session, InboundFilterEnvelope envelope, InboundFilterMessage message, CancellationToken cancellationToken)
        => ValueTask.FromResult(InboundFilterVerdict.Accept);
}
