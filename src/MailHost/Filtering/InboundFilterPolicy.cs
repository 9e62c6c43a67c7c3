namespace MailHost.Filtering;

/// <summary>
/// Where a filter runs in the pipeline, how long it may take, and what happens when it fails. The shipped filters'
/// options derive from it, so each filter's configuration section carries these settings beside its own.
/// </summary>
public class InboundFilterPolicy
{
    /// <summary>Filters run by ascending order; equal orders keep their registration order. Default 100.</summary>
    public int Order { get; set; } = 100;

    /// <summary>The longest one stage of this filter may take; past it the filter has failed. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What a failure or time-out means. Default <see cref="InboundFilterFailurePolicy.TempFail"/>.</summary>
    public InboundFilterFailurePolicy OnFailure { get; set; } = InboundFilterFailurePolicy.TempFail;

    /// <summary>Also run on submission endpoints (authenticated senders); default false: MX only.</summary>
    public bool OnSubmission { get; set; }
}
