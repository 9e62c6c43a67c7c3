using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

public class DotStufferTests
{
    public static TheoryData<string, string, string> Rows => new()
    {
        { "empty message", "", ".\r\n" },
        { "plain", "A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n.\r\n" },
        { "leading dots", ".\r\n..\r\n.x\r\n", "..\r\n...\r\n..x\r\n.\r\n" },
        { "header line that is only a dot", "A: b\r\n.\r\n\r\nc\r\n", "A: b\r\n..\r\n\r\nc\r\n.\r\n" },
        { "last line without CRLF", "a\r\nlast", "a\r\nlast\r\n.\r\n" },
        { "last line is a dot without CRLF", "a\r\n.", "a\r\n..\r\n.\r\n" },
        { "bare LF sent as CRLF", "a\n.b\n", "a\r\n..b\r\n.\r\n" },
        { "bare CR sent as CRLF", "a\r.b", "a\r\n..b\r\n.\r\n" },
        { "CR at the very end", "a\r", "a\r\n.\r\n" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Rows_stuff_whole_and_one_byte_at_a_time(string name, string stored, string wire)
    {
        _ = name;
        var bytes = Encoding.ASCII.GetBytes(stored);
        var expected = Encoding.ASCII.GetBytes(wire);
        DotTestModel.Stuff(bytes).Should().Equal(expected);
        DotTestModel.Stuff(bytes, cuts: Enumerable.Range(1, Math.Max(0, bytes.Length - 1)).ToArray()).Should().Equal(expected);
    }

    private const string Message = "From: a@b\r\nSubject: s\r\n\r\nl1\r\n.l2\r\nl3\r\n";

    [Theory]
    [InlineData(0, "From: a@b\r\nSubject: s\r\n\r\n.\r\n")]
    [InlineData(1, "From: a@b\r\nSubject: s\r\n\r\nl1\r\n.\r\n")]
    [InlineData(2, "From: a@b\r\nSubject: s\r\n\r\nl1\r\n..l2\r\n.\r\n")]
    [InlineData(3, "From: a@b\r\nSubject: s\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n")]
    [InlineData(50, "From: a@b\r\nSubject: s\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n")]
    public void Top_sends_the_header_and_n_body_lines(int lines, string wire)
    {
        var stored = Encoding.ASCII.GetBytes(Message);
        var options = new DotStufferOptions { TopBodyLines = lines };
        DotTestModel.Stuff(stored, options).Should().Equal(Encoding.ASCII.GetBytes(wire));
        DotTestModel.Stuff(stored, options, Enumerable.Range(1, stored.Length - 1).ToArray()).Should().Equal(Encoding.ASCII.GetBytes(wire));
    }

    [Fact]
    public void Top_reports_done_so_the_store_can_stop_reading()
    {
        var stuffer = new DotStuffer(new DotStufferOptions { TopBodyLines = 1 });
        var output = new ArrayBufferWriter<byte>();
        stuffer.Write("A: b\r\n\r\n"u8, output).Should().Be(DotStuffStatus.NeedMoreData);
        stuffer.Write("one\r\ntwo\r\n"u8, output).Should().Be(DotStuffStatus.Done);
        stuffer.Write("three\r\n"u8, output).Should().Be(DotStuffStatus.Done);
        stuffer.Complete(output);
        Encoding.ASCII.GetString(output.WrittenSpan).Should().Be("A: b\r\n\r\none\r\n.\r\n");
        FluentActions.Invoking(() => stuffer.Complete(output)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Top_of_a_message_without_a_body_sends_it_whole()
    {
        var stored = "A: b\r\nC: d"u8.ToArray();
        DotTestModel.Stuff(stored, new DotStufferOptions { TopBodyLines = 0 }).Should().Equal("A: b\r\nC: d\r\n.\r\n"u8.ToArray());
    }

    [Fact]
    public void Nul_bytes_are_replaced_only_when_asked()
    {
        var stored = "a\0b\r\n\0\r\n"u8.ToArray();
        DotTestModel.Stuff(stored).Should().Equal("a\0b\r\n\0\r\n.\r\n"u8.ToArray());
        DotTestModel.Stuff(stored, new DotStufferOptions { NulReplacement = (byte)' ' }).Should().Equal("a b\r\n \r\n.\r\n"u8.ToArray());
        FluentActions.Invoking(() => new DotStuffer(new DotStufferOptions { NulReplacement = (byte)'\n' })).Should().Throw<ArgumentException>();
    }

    // SECURITY B6 / T08: what the receiver unstuffs equals what was stored (normalised as documented on DotStuffer).
    private static readonly Gen<byte[]> Bodies =
        Gen.OneOf(
                Gen.Const("."), Gen.Const(".."), Gen.Const(".x"), Gen.Const("\r\n"), Gen.Const("\r\n"), Gen.Const("\r\n.\r\n"),
                Gen.Const("\n"), Gen.Const("\r"), Gen.Const("\0"), Gen.Const("From: a\r\n\r\n"),
                Gen.String[Gen.Char['a', 'z'], 0, 20], Gen.Const(new string('L', 1200)),
                Gen.Byte[0x80, 0xFF].Array[1, 6].Select(Encoding.Latin1.GetString))
            .Array[0, 30]
            .Select(parts => Encoding.Latin1.GetBytes(string.Concat(parts)));

    [Fact]
    public void Stuff_then_unstuff_is_byte_identical_after_normalisation() =>
        Gen.Select(Bodies, Gen.Int.Array[0, 4], Gen.Int.Array[0, 4], Gen.Bool).Sample((stored, stuffCuts, unstuffCuts, replaceNul) =>
        {
            byte? replacement = replaceNul ? (byte)'?' : null;
            var cuts1 = stuffCuts.Select(o => Math.Abs(o % (stored.Length + 1))).Order().ToArray();
            var wire = DotTestModel.Stuff(stored, new DotStufferOptions { NulReplacement = replacement }, cuts1);
            var cuts2 = unstuffCuts.Select(o => Math.Abs(o % (wire.Length + 1))).Order().ToArray();
            var (message, consumed, unstuffer) = DotTestModel.Unstuff(wire, cuts: cuts2);
            consumed.Should().Be(wire.Length);
            unstuffer.Error.Should().Be(DotUnstuffError.None);
            unstuffer.BareLineEndingCount.Should().Be(0);
            message.Should().Equal(DotTestModel.Normalize(stored, replacement));
        }, iter: 10_000);

    [Fact]
    public void Crlf_bodies_round_trip_exactly() =>
        Bodies.Select(b => DotTestModel.Normalize(b)).Sample(stored =>
        {
            var (message, _, _) = DotTestModel.Unstuff(DotTestModel.Stuff(stored));
            message.Should().Equal(stored);
        }, iter: 10_000);
}
