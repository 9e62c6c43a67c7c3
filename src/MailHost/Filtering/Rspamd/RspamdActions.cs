namespace MailHost.Filtering.Rspamd;

/// <summary>
/// The actions rspamd answers in <c>/checkv2</c>'s <c>action</c> (rspamd protocol, "Rspamd HTTP reply"; the action
/// thresholds of <c>actions.conf</c>, and <c>discard</c>/<c>quarantine</c> from the force_actions module).
/// </summary>
internal static class RspamdActions
{
    public const string NoAction = "no action";
    public const string Greylist = "greylist";
    public const string AddHeader = "add header";
    public const string RewriteSubject = "rewrite subject";
    public const string SoftReject = "soft reject";
    public const string Reject = "reject";
    public const string Discard = "discard";
    public const string Quarantine = "quarantine";
}
