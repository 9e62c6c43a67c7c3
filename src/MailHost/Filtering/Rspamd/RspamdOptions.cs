namespace MailHost.Filtering.Rspamd;

/// <summary>
/// The rspamd spam filter (configuration section <c>MailHost:Filtering:Rspamd</c>): each message is sent to rspamd's
/// normal worker (<c>/checkv2</c>) and rspamd's action becomes the verdict; with <see cref="ControllerUrl"/>, messages
/// users move into or out of Junk teach rspamd's Bayes classifier through its controller. The filter runs when
/// <see cref="Url"/> is set.
/// </summary>
/// <remarks>
/// rspamd's actions map to verdicts: <c>reject</c> refuses (<c>554 5.7.1</c>); <c>soft reject</c> and <c>greylist</c>
/// defer (<c>451 4.7.1</c>); <c>add header</c> delivers to Junk with <c>X-Spam: Yes</c>; <c>rewrite subject</c> delivers
/// to the inbox with rspamd's subject; <c>no action</c> accepts. Accepted and junked messages get <c>X-Spam-Score</c>,
/// <c>X-Spam-Action</c>, <c>X-Spam-Status</c> and <c>X-Spam-Symbols</c>, plus the header changes rspamd's
/// <c>milter_headers</c> module asks for. Defaults differ from <see cref="InboundFilterPolicy"/>'s: order 300, a 15 s
/// time limit, and a temporary failure when rspamd cannot be reached.
/// </remarks>
public sealed class RspamdOptions : InboundFilterPolicy
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Filtering:Rspamd";

    /// <summary>The default of <see cref="MaxMessageSize"/>: 20 MiB.</summary>
    public const long DefaultMaxMessageSize = 20L * 1024 * 1024;

    /// <summary>Sets this filter's defaults: order 300, time limit 15 s, temporary failure when rspamd fails.</summary>
    public RspamdOptions()
    {
        Order = 300;
        Timeout = TimeSpan.FromSeconds(15);
        OnFailure = InboundFilterFailurePolicy.TempFail;
    }

    /// <summary>
    /// The base URL of rspamd's normal worker, <c>http://127.0.0.1:11333</c> on a default install (http or https; a path
    /// is kept, for an rspamd behind a reverse proxy). Unset (the default), the filter is off.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>
    /// The base URL of rspamd's controller worker, <c>http://127.0.0.1:11334</c> on a default install, used to learn
    /// from Junk moves (<c>/learnspam</c>, <c>/learnham</c>). Unset (the default), nothing is learned.
    /// </summary>
    public string? ControllerUrl { get; set; }

    /// <summary>
    /// The controller's password, sent as rspamd's <c>Password</c> request header: its <c>enable_password</c> (or
    /// <c>password</c> when no enable password is set), since learning changes rspamd's state. Unset, none is sent,
    /// which rspamd accepts only from the controller's <c>secure_ip</c> addresses.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>
    /// Whether a message moved into Junk is learned as spam and one moved out of it as ham, through
    /// <see cref="ControllerUrl"/>; ignored without it. Default true.
    /// </summary>
    public bool LearnFromJunkMoves { get; set; } = true;

    /// <summary>
    /// The largest message sent to rspamd, in octets; a bigger one is accepted unscanned (the log summary says so), as
    /// big messages are rarely spam and scanning them is slow. Keep it below rspamd's own <c>max_message</c>
    /// (50 MiB by default). Default 20 MiB.
    /// </summary>
    public long MaxMessageSize { get; set; } = DefaultMaxMessageSize;
}
