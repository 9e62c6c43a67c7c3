namespace MailHost.Filtering;

/// <summary>What the pipeline does when a filter throws, cannot reach its service, or exceeds its time limit.</summary>
public enum InboundFilterFailurePolicy
{
    /// <summary>Answer a temporary failure (4xx): the sender keeps the message and tries again later.</summary>
    TempFail,

    /// <summary>Go on as if the filter accepted, and record in the message that it could not judge it.</summary>
    Accept,
}
