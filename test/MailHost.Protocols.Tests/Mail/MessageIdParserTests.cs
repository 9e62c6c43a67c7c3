using CsCheck;
using MailHost.Protocols.Mail;

namespace MailHost.Protocols.Tests.Mail;

public class MessageIdParserTests
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
        MessageIdParser.ParseFirst(value).Should().Be(expected);
        MessageIdParser.ParseAll(value).Should().Equal(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("<>")]
    [InlineData("<nodomain>")]
    [InlineData("abc@def")]
    [InlineData("<a@b")]
    [InlineData("<@b>")]
    // An empty quoted local part normalizes to nothing before the "@" (found by the property test below).
    [InlineData("<\"\"@b>")]
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
        MessageIdParser.ParseFirst(value).Should().BeNull();
        MessageIdParser.ParseAll(value).Should().BeEmpty();
    }

    [Fact]
    public void A_null_header_yields_nothing()
    {
        MessageIdParser.ParseFirst(null).Should().BeNull();
        MessageIdParser.ParseAll(null).Should().BeEmpty();
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
        MessageIdParser.ParseAll(value).Should().Equal(expected);
        MessageIdParser.ParseFirst(value).Should().Be(expected[0]);
    }

    [Fact]
    public void Any_text_parses_without_throwing_and_every_id_has_two_parts()
    {
        Gen.Char["<>@\"()[]\\.:, \r\nab1é"].Array[0, 80].Select(c => new string(c)).Sample(text =>
        {
            var ids = MessageIdParser.ParseAll(text);
            ids.All(id => id.Contains('@') && !id.StartsWith('@') && !id.EndsWith('@')).Should().BeTrue();
            MessageIdParser.ParseFirst(text).Should().Be(ids.Count > 0 ? ids[0] : null);
        }, iter: 20_000);
    }

    // RFC 5322 §3.2.3 atext, with a non-ASCII letter (RFC 6532 §3.2).
    private static readonly Gen<string> Atom = Gen.String[Gen.Char["abzAZ09!#$%&'*+-/=?^_`{|}~é"], 1, 8];

    private static readonly Gen<string> DotAtom = Atom.Array[1, 4].Select(atoms => string.Join('.', atoms));

    // RFC 5322 §3.4.1 dtext (printable ASCII but "[", "]" and "\").
    private static readonly Gen<string> DomainLiteral = Gen.String[Gen.Char["az09.:-!~"], 1, 12].Select(text => "[" + text + "]");

    // Between msg-ids: white space, folding, and the commas seen in the wild.
    private static readonly string[] Separators = [" ", "\r\n ", ", "];

    // One msg-id: (normalized id, how it is written), in the forms RFC 5322 §3.6.4 and §4.5.4 allow.
    private static readonly Gen<(string Id, string Text)> WrittenId =
        Gen.Select(DotAtom, Gen.OneOf(DotAtom, DomainLiteral), Gen.Int[0, 3], (left, right, form) => (left + "@" + right, form switch
        {
            0 => $"<{left}@{right}>",
            1 => $"<\"{left}\"@{right}>",           // quoted id-left: RFC 5256 §2.2 removes the quoting
            2 => $"(note) <{left}@{right}> (x)",     // CFWS around the msg-id
            _ => $"<{left} @ {right}>",              // obs-id-left "@" obs-id-right with FWS between
        }));

    [Fact]
    public void Every_generated_valid_id_parses_to_itself_in_order() =>
        Gen.Select(WrittenId.Array[1, 5], Gen.Int[0, Separators.Length - 1].Select(i => Separators[i])).Sample((ids, separator) =>
        {
            var text = string.Join(separator, ids.Select(i => i.Text));
            MessageIdParser.ParseAll(text).Should().Equal(ids.Select(i => i.Id), text);
            MessageIdParser.ParseFirst(text).Should().Be(ids[0].Id, text);
        }, iter: 20_000);

    [Fact]
    public void A_long_hostile_header_parses_in_linear_time()
    {
        var text = string.Concat(Enumerable.Repeat("<a@[<a@b.c.d ((\"<", 20_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        MessageIdParser.ParseAll(text);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "a quadratic parser takes minutes on this input; the bound leaves room for a loaded machine");
    }
}
