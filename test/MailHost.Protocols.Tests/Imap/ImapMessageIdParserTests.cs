using CsCheck;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

public class ImapMessageIdParserTests
{
    [Theory]
    [InlineData("<01KF8JCEOCBS0045PS@xxx.yyy.com>", "01KF8JCEOCBS0045PS@xxx.yyy.com")]
    // RFC 5256 §2.2: quoting must not make two Message IDs differ.
    [InlineData("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>", "01KF8JCEOCBS0045PS@xxx.yyy.com")]
    [InlineData("<\"a.b\"@c>", "a.b@c")]
    [InlineData("<\"a\".\"b\"@c>", "a.b@c")]
    [InlineData("<\"a\\\"b\"@c>", "a\"b@c")]
    [InlineData("<\"a b\"@c>", "a b@c")]
    [InlineData("  (comment (nested)) <a@b> (trailing)", "a@b")]
    // RFC 5322 §4.5.4 obs-id-left / obs-id-right: CFWS between the parts.
    [InlineData("<x @ y>", "x@y")]
    [InlineData("<a (c) . b@d . e>", "a.b@d.e")]
    [InlineData("<x@[1.2.3.4]>", "x@[1.2.3.4]")]
    [InlineData("<x@[ 1.2.3.4 ]>", "x@[1.2.3.4]")]
    [InlineData("<x@\r\n y>", "x@y")]
    [InlineData("<ABC.def@Example.COM>", "ABC.def@Example.COM")]
    [InlineData("<!#$%&'*+-/=?^_`{|}~@x>", "!#$%&'*+-/=?^_`{|}~@x")]
    [InlineData("<café@exemple.fr>", "café@exemple.fr")]
    public void A_valid_msg_id_is_normalized(string value, string expected)
    {
        ImapMessageIdParser.ParseFirst(value).Should().Be(expected);
        ImapMessageIdParser.ParseAll(value).Should().Equal(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("<>")]
    [InlineData("<nodomain>")]
    [InlineData("abc@def")]
    [InlineData("<a@b")]
    [InlineData("<@b>")]
    [InlineData("<a@>")]
    [InlineData("<a@b@c>")]
    [InlineData("<a..b@c>")]
    [InlineData("<a.@c>")]
    [InlineData("<a b@c>")]
    [InlineData("<a@[1.2.3.4>")]
    [InlineData("<\"unterminated@c>")]
    [InlineData("<a:b@c>")]
    [InlineData("(<a@b>)")]
    [InlineData("\"<a@b>\"")]
    public void An_invalid_msg_id_yields_nothing(string value)
    {
        ImapMessageIdParser.ParseFirst(value).Should().BeNull();
        ImapMessageIdParser.ParseAll(value).Should().BeEmpty();
    }

    [Fact]
    public void A_null_header_yields_nothing()
    {
        ImapMessageIdParser.ParseFirst(null).Should().BeNull();
        ImapMessageIdParser.ParseAll(null).Should().BeEmpty();
    }

    [Theory]
    [InlineData("<a@b> <c@d>", new[] { "a@b", "c@d" })]
    [InlineData("<a@b>\r\n\t<c@d>\r\n <e@f>", new[] { "a@b", "c@d", "e@f" })]
    // Separators that the grammar does not have, seen in the wild, are skipped like any other text.
    [InlineData("<a@b>,<c@d>, <e@f>", new[] { "a@b", "c@d", "e@f" })]
    [InlineData("<bad> <a@b> <a@b <c@d>", new[] { "a@b", "c@d" })]
    [InlineData("<<a@b>>", new[] { "a@b" })]
    [InlineData("<a@b> <a@b>", new[] { "a@b", "a@b" })]
    // In-Reply-To phrases: a '<' inside a quoted phrase or a comment does not start an id.
    [InlineData("Your message of \"Mon, 7 Feb <x@y>\" <a@b>", new[] { "a@b" })]
    [InlineData("<a@b> (from Joe <c@d>)", new[] { "a@b" })]
    public void Every_valid_id_of_a_list_is_found_in_order(string value, string[] expected)
    {
        ImapMessageIdParser.ParseAll(value).Should().Equal(expected);
        ImapMessageIdParser.ParseFirst(value).Should().Be(expected[0]);
    }

    [Fact]
    public void Any_text_parses_without_throwing_and_every_id_has_two_parts()
    {
        Gen.Char["<>@\"()[]\\.:, \r\nab1é"].Array[0, 80].Select(c => new string(c)).Sample(text =>
        {
            var ids = ImapMessageIdParser.ParseAll(text);
            ids.All(id => id.Contains('@') && !id.StartsWith('@') && !id.EndsWith('@')).Should().BeTrue();
            ImapMessageIdParser.ParseFirst(text).Should().Be(ids.Count > 0 ? ids[0] : null);
        });
    }

    [Fact]
    public void A_long_hostile_header_parses_in_linear_time()
    {
        var text = string.Concat(Enumerable.Repeat("<a@[<a@b.c.d ((\"<", 20_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ImapMessageIdParser.ParseAll(text);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "a quadratic parser takes minutes on this input; the bound leaves room for a loaded machine");
    }
}
