using System.Text;
using MailHost.Filtering;
using MailHost.Filtering.Rspamd;

namespace MailHost.Tests.Filtering.Rspamd;

/// <summary>rspamd's /checkv2 reply (fixed JSON, as rspamd 3.4 answers) to MailHost's verdict, without a daemon.</summary>
public sealed class RspamdVerdictsTests
{
    [Fact]
    public void Reject_refuses_with_554_and_rspamds_smtp_message()
    {
        var verdict = Map("""{"action":"reject","score":15.0,"required_score":15.0,"symbols":{"GTUBE":{"name":"GTUBE","score":0.0}},"messages":{"smtp_message":"Gtube pattern"}}""");

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyCode.Should().Be(554);
        verdict.EnhancedStatusCode.Should().Be("5.7.1");
        verdict.ReplyText.Should().Be("Gtube pattern");
        verdict.HeaderChanges.Should().BeEmpty();
        verdict.Summary.Should().Be("action=reject score=15.00/15.00 symbols=GTUBE");
    }

    [Fact]
    public void Reject_without_a_message_says_spam()
    {
        var verdict = Map("""{"action":"reject","score":20.5,"required_score":15.0}""");

        verdict.ReplyText.Should().Be("Message rejected as spam");
        verdict.ReplyCode.Should().Be(554);
    }

    [Theory]
    [InlineData("""{"action":"soft reject","score":1,"required_score":15}""", "Try again later")]
    [InlineData("""{"action":"soft reject","score":1,"required_score":15,"messages":{"smtp_message":"Ratelimit exceeded"}}""", "Ratelimit exceeded")]
    [InlineData("""{"action":"greylist","score":4.5,"required_score":15}""", "Greylisted, try again later")]
    [InlineData("""{"action":"greylist","score":4.5,"required_score":15,"messages":{"smtp_message":"Try again later"}}""", "Try again later")]
    public void Soft_reject_and_greylist_defer_with_451(string json, string text)
    {
        var verdict = Map(json);

        verdict.Action.Should().Be(InboundFilterAction.TempFail);
        verdict.ReplyCode.Should().Be(451);
        verdict.EnhancedStatusCode.Should().Be("4.7.1");
        verdict.ReplyText.Should().Be(text);
        verdict.HeaderChanges.Should().BeEmpty();
    }

    [Fact]
    public void No_action_accepts_with_the_score_recorded_and_a_forged_X_Spam_removed()
    {
        var verdict = Map("""
            {"is_skipped":false,"score":3.2,"required_score":15.0,"action":"no action",
             "symbols":{"MIME_GOOD":{"name":"MIME_GOOD","score":-0.1,"metric_score":-0.1},"ARC_NA":{"name":"ARC_NA","score":0.0}},
             "messages":{},"message-id":"1@example.com","time_real":0.01}
            """);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.HeaderChanges.Should().Equal(
            InboundHeaderChange.Replace("X-Spam-Score", "3.20 / 15.00"),
            InboundHeaderChange.Replace("X-Spam-Action", "no action"),
            InboundHeaderChange.Replace("X-Spam-Status", "No, score=3.20 required=15.00"),
            InboundHeaderChange.Replace("X-Spam-Symbols", "ARC_NA, MIME_GOOD"),
            InboundHeaderChange.Remove("X-Spam"));
        verdict.Summary.Should().Be("action=no action score=3.20/15.00 symbols=ARC_NA,MIME_GOOD");
    }

    [Fact]
    public void Add_header_delivers_to_Junk_marked_as_spam()
    {
        var verdict = Map("""{"action":"add header","score":7.0,"required_score":15.0,"symbols":{"BAYES_SPAM":{"name":"BAYES_SPAM","score":5.1}}}""");

        verdict.Action.Should().Be(InboundFilterAction.Junk);
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("X-Spam", "Yes"));
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("X-Spam-Status", "Yes, score=7.00 required=15.00"));
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("X-Spam-Action", "add header"));
    }

    [Fact]
    public void Rewrite_subject_accepts_into_the_inbox_with_rspamds_subject()
    {
        var verdict = Map("""{"action":"rewrite subject","score":6.0,"required_score":15.0,"subject":"[SPAM 6.00] hello there"}""", originalSubject: "ignored");

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("Subject", "[SPAM 6.00] hello there"));
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("X-Spam", "Yes"));
    }

    [Theory]
    [InlineData(" Cheap =?UTF-8?B?d2F0Y2hlcw==?=", "***SPAM*** Cheap =?UTF-8?B?d2F0Y2hlcw==?=")]
    [InlineData(" folded\r\n subject", "***SPAM*** folded subject")]
    [InlineData(null, "***SPAM***")]
    public void Rewrite_subject_without_rspamds_subject_prefixes_the_original(string? original, string expected)
    {
        var verdict = Map("""{"action":"rewrite subject","score":6.0,"required_score":15.0}""", original);

        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("Subject", expected));
    }

    [Theory]
    [InlineData("discard", InboundFilterAction.Discard)]
    [InlineData("quarantine", InboundFilterAction.Quarantine)]
    public void Discard_and_quarantine_map_to_their_actions(string action, InboundFilterAction expected)
        => Map($$"""{"action":"{{action}}","score":30,"required_score":15}""").Action.Should().Be(expected);

    [Theory]
    [InlineData(16.0, "Yes")]
    [InlineData(2.0, "No")]
    public void An_unknown_action_accepts_and_judges_spam_by_the_score(double score, string status)
    {
        var verdict = Map($$"""{"action":"custom thing","score":{{score}},"required_score":15}""");

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.HeaderChanges.Should().Contain(change => change.Name == "X-Spam-Status" && change.Value!.StartsWith(status + ",", StringComparison.Ordinal));
    }

    [Fact]
    public void Line_breaks_and_controls_from_rspamd_never_reach_a_header_or_reply()
    {
        var accepted = Map("""
            {"action":"rewrite subject","score":6,"required_score":15,"subject":"Hi\r\nBcc: victim@example.com",
             "milter":{"add_headers":{"Authentication-Results":{"order":1,"value":"vm;\r\n\tnone"},"X-Evil":"a\nb\u0000c"}}}
            """);
        var rejected = Map("""{"action":"reject","score":20,"required_score":15,"messages":{"smtp_message":"Go away\r\n250 OK \u00e9t\u00e9"}}""");

        accepted.HeaderChanges.Should().OnlyContain(change => change.Value == null || !change.Value.Any(char.IsControl));
        accepted.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("Subject", "Hi Bcc: victim@example.com"));
        accepted.HeaderChanges.Should().Contain(InboundHeaderChange.Add("Authentication-Results", "vm; none"));
        accepted.HeaderChanges.Should().Contain(InboundHeaderChange.Add("X-Evil", "a b c"));
        rejected.ReplyText.Should().Be("Go away 250 OK ?t?");
    }

    [Fact]
    public void The_symbol_list_is_sorted_and_capped_on_one_line()
    {
        var symbols = string.Join(",", Enumerable.Range(0, 200).Reverse().Select(i => $$"""
            "SYMBOL_NUMBER_{{i:D3}}":{"name":"SYMBOL_NUMBER_{{i:D3}}","score":0.1}
            """.Trim()));
        var verdict = Map($$$"""{"action":"no action","score":20,"required_score":15,"symbols":{{{{symbols}}}}}""");

        var value = verdict.HeaderChanges.Single(change => change.Name == "X-Spam-Symbols").Value!;
        value.Length.Should().BeLessThanOrEqualTo(RspamdVerdicts.MaxSymbolsLength).And.BeGreaterThan(800);
        value.Should().StartWith("SYMBOL_NUMBER_000, SYMBOL_NUMBER_001, ").And.EndWith(", ...");
        verdict.Summary!.Length.Should().BeLessThan(400);
    }

    [Fact]
    public void Milter_changes_remove_before_they_add_and_win_over_mailhosts_fields()
    {
        var verdict = Map("""
            {"action":"no action","score":0,"required_score":15,
             "milter":{
               "add_headers":{"X-Spam-Status":{"order":-1,"value":"No, score=0.00"},"X-Spamd-Bar":{"order":-1,"value":"/"},
                              "X-Multi":[{"value":"one"},"two"],"Bad Name":"x","X-Plain":"plain"},
               "remove_headers":{"X-Spamd-Bar":0,"X-Spam":0,"X-Old":0,"X-Second":2}}}
            """);

        verdict.HeaderChanges.Should().Equal(
            InboundHeaderChange.Replace("X-Spam-Score", "0.00 / 15.00"),
            InboundHeaderChange.Replace("X-Spam-Action", "no action"),
            InboundHeaderChange.Remove("X-Spam"),
            InboundHeaderChange.Replace("X-Spam-Status", "No, score=0.00"),
            InboundHeaderChange.Replace("X-Spamd-Bar", "/"),
            InboundHeaderChange.Add("X-Multi", "one"),
            InboundHeaderChange.Add("X-Multi", "two"),
            InboundHeaderChange.Add("X-Plain", "plain"),
            InboundHeaderChange.Remove("X-Old"));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("""{"score":1}""", "no \"action\"")]
    [InlineData("""{"action":"no action"}""", "score")]
    [InlineData("""{"error":"invalid command","error_domain":"protocol-error"}""", "invalid command")]
    public void A_reply_that_is_not_checkv2s_is_refused_with_the_reason(string json, string reason)
    {
        RspamdReply.TryParse(Encoding.UTF8.GetBytes(json), out var reply, out var error).Should().BeFalse();

        reply.Should().BeNull();
        error.Should().Contain(reason);
    }

    private static InboundFilterVerdict Map(string json, string? originalSubject = null)
    {
        RspamdReply.TryParse(Encoding.UTF8.GetBytes(json), out var reply, out var error).Should().BeTrue(error);
        return RspamdVerdicts.Map(reply!, originalSubject);
    }
}
