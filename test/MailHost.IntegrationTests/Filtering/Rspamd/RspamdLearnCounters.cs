namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>rspamd's learning counters from the controller's <c>/stat</c>.</summary>
/// <param name="Learned">Messages learned since rspamd started (<c>learned</c>).</param>
/// <param name="SpamRevision">The revision of the <c>BAYES_SPAM</c> statfile: one more per message learned as spam.</param>
/// <param name="HamRevision">The revision of the <c>BAYES_HAM</c> statfile: one more per message learned as ham.</param>
public sealed record RspamdLearnCounters(long Learned, long SpamRevision, long HamRevision);
