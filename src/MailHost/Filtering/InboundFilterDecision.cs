using MailHost.Protocols.Smtp;

namespace MailHost.Filtering;

/// <summary>The pipeline's answer to one stage: go on, or refuse with <see cref="Reply"/>.</summary>
internal readonly record struct InboundFilterDecision(SmtpReply? Reply)
{
    public static InboundFilterDecision Continue => default;

    public bool IsRefused => Reply is not null;
}
