using System.Buffers;
using System.Text;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

/// <summary>Golden FETCH responses (RFC 9051 §7.5.2 and the extensions' own sections), written item by item.</summary>
public class ImapFetchResponseTests
{
    private delegate void Items(ref ImapFetchResponse fetch, ImapResponseWriter writer);

    private static string Fetch(uint seq, Items items)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new ImapResponseWriter(output);
        var fetch = new ImapFetchResponse(writer, seq);
        items(ref fetch, writer);
        fetch.End();
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void The_RFC_9051_example_is_written_byte_for_byte()
    {
        // RFC 9051 §7.5.2: S: * 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ...)
        Fetch(12, (ref f, _) =>
        {
            f.Flags("\\Seen"u8, []);
            f.InternalDate(new DateTimeOffset(1996, 7, 17, 2, 44, 25, TimeSpan.FromHours(-7)));
            f.Rfc822Size(4286);
        }).Should().Be("* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286)\r\n");
    }

    [Fact]
    public void Uid_goes_out_once_and_the_written_items_are_known()
    {
        bool uid = false, flags = false, modSeq = false;
        Fetch(3, (ref f, _) =>
        {
            f.Uid(44);
            f.Flags(""u8, ["$Work"]);
            f.Uid(44);
            f.ModSeq(917162500);
            (uid, flags, modSeq) = (f.HasUid, f.HasFlags, f.HasModSeq);
        }).Should().Be("* 3 FETCH (UID 44 FLAGS ($Work) MODSEQ (917162500))\r\n");
        (uid, flags, modSeq).Should().Be((true, true, true));

        var none = true;
        Fetch(1, (ref f, _) => none = f.HasUid || f.HasFlags || f.HasModSeq).Should().Be("* 1 FETCH ()\r\n");
        none.Should().BeFalse();
    }

    [Fact]
    public void Object_ids_preview_and_save_date_follow_their_RFCs()
    {
        // RFC 8474 §5, RFC 8970 §3, RFC 8514 §4.
        Fetch(2, (ref f, _) =>
        {
            f.EmailId("M6d99ac3275bb4e");
            f.ThreadId("T64b478a75b7ea9");
            f.Preview("Hello \"there\"");
            f.Preview(null);
            f.Preview("");
            f.SaveDate(new DateTimeOffset(2026, 12, 5, 9, 30, 0, TimeSpan.Zero));
        }).Should().Be(
            "* 2 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) PREVIEW \"Hello \\\"there\\\"\" PREVIEW NIL PREVIEW NIL " +
            "SAVEDATE \"05-Dec-2026 09:30:00 +0000\")\r\n");
    }

    [Fact]
    public void Envelope_and_body_structure_items_carry_their_names()
    {
        var envelope = new ImapEnvelope("Wed, 17 Jul 1996 02:23:25 -0700", "IMAP4rev2 WG mtg summary and minutes",
            [new ImapAddress("Terry Gray", null, "gray", "cac.washington.edu")], null, null,
            [new ImapAddress(null, null, "imap", "cac.washington.edu")], null, null, null, "<B27397-0100000@cac.washington.edu>");
        var text = new ImapBodyStructure("TEXT", "PLAIN", [new("CHARSET", "US-ASCII")], Encoding: "7BIT", Size: 3028, Lines: 92);

        Fetch(12, (ref f, _) =>
        {
            f.Envelope(envelope);
            f.BodyStructure(text, extensible: false);
            f.BodyStructure(text, extensible: true);
        }).Should().Be(
            "* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700\" \"IMAP4rev2 WG mtg summary and minutes\" " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL " +
            "\"<B27397-0100000@cac.washington.edu>\") " +
            "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) " +
            "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL))\r\n");
    }

    [Fact]
    public void Section_labels_name_the_part_the_kind_and_the_origin()
    {
        Fetch(1, (ref f, w) =>
        {
            f.BeginSection(ImapSection.Whole, null);
            w.WriteLiteral("x"u8);
            f.BeginSection(new ImapSection([1, 2], ImapSectionKind.Mime, []), null);
            w.WriteRaw("\"\""u8);
            f.BeginSection(new ImapSection([], ImapSectionKind.Header, []), 0);
            w.WriteRaw("\"\""u8);
            f.BeginSection(new ImapSection([3], ImapSectionKind.Text, []), 10);
            w.WriteRaw("NIL"u8);
            f.BeginSection(new ImapSection([], ImapSectionKind.HeaderFields, ["DATE", "FROM", "X Y"]), null);
            w.WriteRaw("\"\""u8);
            f.BeginSection(new ImapSection([4], ImapSectionKind.HeaderFieldsNot, ["SUBJECT"]), null);
            w.WriteRaw("\"\""u8);
        }).Should().Be(
            "* 1 FETCH (BODY[] {1}\r\nx BODY[1.2.MIME] \"\" BODY[HEADER]<0> \"\" BODY[3.TEXT]<10> NIL " +
            "BODY[HEADER.FIELDS (DATE FROM \"X Y\")] \"\" BODY[4.HEADER.FIELDS.NOT (SUBJECT)] \"\")\r\n");
    }

    [Fact]
    public void Binary_and_RFC822_labels_follow_RFC_3516_and_RFC_9051()
    {
        Fetch(7, (ref f, w) =>
        {
            f.BeginBinary([1, 2], 100, size: false);
            w.WriteLiteral([0, 1], binary: true);
            f.BeginBinary([1], 100, size: true);
            w.WriteNumber(8);
            f.BeginBinary([], null, size: false);
            w.WriteRaw("\"\""u8);
            f.BeginRfc822(ImapFetchItemKind.Rfc822Header);
            w.WriteRaw("\"\""u8);
            f.BeginRfc822(ImapFetchItemKind.Rfc822Text);
            w.WriteRaw("\"\""u8);
            f.BeginRfc822(ImapFetchItemKind.Rfc822);
            w.WriteRaw("\"\""u8);
        }).Should().Be(
            "* 7 FETCH (BINARY[1.2]<100> ~{2}\r\n\0\u0001 BINARY.SIZE[1] 8 BINARY[] \"\" RFC822.HEADER \"\" RFC822.TEXT \"\" RFC822 \"\")\r\n");

        var output = new ArrayBufferWriter<byte>();
        var fetch = new ImapFetchResponse(new ImapResponseWriter(output), 1);
        ((Action)(() => fetch.BeginRfc822(ImapFetchItemKind.Uid))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
