using System.Diagnostics;
using System.Text;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Tests.Storage;

public class MimeIndexerTests
{
    private static Task<IndexedMessage> IndexAsync(byte[] bytes, MailStoreLimits? limits = null) =>
        MimeIndexer.IndexAsync(new MemoryStream(bytes), bytes.Length, limits ?? MailStoreLimits.Default, default).WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Envelope_follows_RFC_9051_rules()
    {
        var bytes = Encoding.UTF8.GetBytes(
            "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n folded\r\n" +
            "From: \"Jöhn Doe\" <john@example.com>\r\nTo: Team: a@example.com, b@example.com;, c@example.org\r\n" +
            "Message-ID: <id1@example.com>\r\nReferences: <r1@x> <r2@x>\r\n\r\nbody\r\n");
        var indexed = await IndexAsync(bytes);
        var envelope = indexed.Index.Envelope;
        envelope.Date.Should().Be("Mon, 7 Feb 1994 21:52:25 -0800");
        envelope.Subject.Should().Be("=?utf-8?q?caf=C3=A9?= folded");
        envelope.From.Should().ContainSingle().Which.Should().Be(new EnvelopeAddress(envelope.From[0].Name, null, "john", "example.com"));
        envelope.From[0].Name.Should().StartWith("=?utf-8?");
        envelope.Sender.Should().Equal(envelope.From);
        envelope.ReplyTo.Should().Equal(envelope.From);
        envelope.To.Should().Equal(
            new EnvelopeAddress(null, null, "Team", null),
            new EnvelopeAddress(null, null, "a", "example.com"),
            new EnvelopeAddress(null, null, "b", "example.com"),
            new EnvelopeAddress(null, null, null, null),
            new EnvelopeAddress(null, null, "c", "example.org"));
        envelope.MessageId.Should().Be("<id1@example.com>");
        indexed.MessageId.Should().Be("id1@example.com");
        indexed.References.Should().Equal("r1@x", "r2@x");
        indexed.Index.SentDate.Should().Be(new DateTimeOffset(1994, 2, 7, 21, 52, 25, TimeSpan.FromHours(-8)));
        indexed.HeaderText.Should().Contain("Subject: café folded");
        indexed.Index.Body.Parameters.Should().ContainSingle(p => p.Name == "charset" && p.Value == "us-ascii");
    }

    [Fact]
    public async Task A_part_cut_off_by_the_outer_boundary_right_after_its_header_has_no_lines()
    {
        // Found by fuzzing (fuzz/corpus/mime-index/cut-by-outer-boundary.eml): MimeKit counted -1 lines for the
        // encapsulated multipart, whose outer boundary follows its header at once.
        var bytes = Encoding.ASCII.GetBytes(
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" +
            "Content-Type: multipart/alternative; boundary=c\r\n\r\n--b\r\n");
        var indexed = await IndexAsync(bytes);
        var parts = new List<MessagePart>();
        Collect(indexed.Index.Body);
        parts.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(p => p.Lines >= 0);

        void Collect(MessagePart part)
        {
            parts.Add(part);
            part.Parts.ToList().ForEach(Collect);
            if (part.Message is { } inner)
            {
                Collect(inner);
            }
        }
    }

    [Fact]
    public async Task An_empty_part_after_a_boundary_line_ending_in_a_bare_LF_has_no_negative_extent()
    {
        // Found by fuzzing (fuzz/corpus/mime-index/bare-lf-empty-part.eml): MimeKit ended the second part's header one
        // octet before its start, so BODY[2.MIME] would have had a length of -1.
        var bytes = Encoding.ASCII.GetBytes(
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Typ\r\n\r\n--b\n--b\r\n" +
            "Content-Type: text/plain\r\n\r\nthird\r\n--b--\r\n");
        var indexed = await IndexAsync(bytes);
        var parts = indexed.Index.Body.Parts;
        parts.Should().HaveCount(3);
        parts.Should().OnlyContain(p => p.HeaderOffset <= p.BodyOffset && p.BodyOffset <= p.EndOffset);
        parts[1].HeaderOffset.Should().Be(69, "the empty part starts after the first boundary line, \"--b\\n\"");
        parts[1].BodyOffset.Should().Be(69);
        parts[1].EndOffset.Should().Be(69);
        Encoding.ASCII.GetString(bytes, (int)parts[2].BodyOffset, (int)(parts[2].EndOffset - parts[2].BodyOffset)).Should().Be("third");
    }

    [Fact]
    public async Task The_index_is_the_same_whether_the_message_arrives_in_full_reads_or_in_short_ones()
    {
        // Found by fuzzing (fuzz/corpus/mime-index/short-reads.eml): with broken boundaries inside an attached message,
        // MimeKit's reader ended the attached message two bytes apart depending on how many bytes each read returned.
        // The indexer fills every read, so the index depends on the bytes alone.
        var path = Path.Combine(AppContext.BaseDirectory, "Storage", "short-reads.eml");
        var bytes = await File.ReadAllBytesAsync(path);
        var whole = await IndexAsync(bytes);
        var trickled = await MimeIndexer.IndexAsync(new TrickleStream(bytes), bytes.Length, MailStoreLimits.Default, default).WaitAsync(TimeSpan.FromSeconds(30));

        var attached = whole.Index.Body.Parts[0];
        attached.Message.Should().NotBeNull("the first part is the attached message");
        trickled.Index.Body.Parts[0].EndOffset.Should().Be(attached.EndOffset);
        System.Text.Json.JsonSerializer.Serialize(trickled.Index).Should().Be(System.Text.Json.JsonSerializer.Serialize(whole.Index));
    }

    /// <summary>Returns one to seven bytes per read, as a slow network literal might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data, writable: false)
    {
        private int _reads;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (_reads++ % 7)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (_reads++ % 7))]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }

    [Fact]
    public async Task References_are_kept_normalized_for_threading_without_In_Reply_To()
    {
        // RFC 5256 §2.2: quoting does not make ids differ; In-Reply-To stays in the envelope, not in References.
        var bytes = Encoding.ASCII.GetBytes(
            "Message-ID: <id1@example.com>\r\nIn-Reply-To: <p@x>\r\n" +
            "References: <\"r1\"@x> (comment <no@x>)\r\n\t<r2 @ x> <invalid> <r3@[10.0.0.1]>\r\n\r\nbody\r\n");
        var indexed = await IndexAsync(bytes);
        indexed.Index.References.Should().Equal("r1@x", "r2@x", "r3@[10.0.0.1]");
        indexed.Index.Envelope.InReplyTo.Should().Be("<p@x>");
        (await IndexAsync(Encoding.ASCII.GetBytes("Subject: none\r\n\r\nbody\r\n"))).Index.References.Should().BeEmpty();
    }

    [Fact]
    public async Task A_long_References_header_keeps_its_first_and_last_ids()
    {
        // Longer than MaxCapturedHeaderValue as well: the tail, which threading needs most, must not be cut off.
        var ids = Enumerable.Range(0, 5000).Select(i => $"<{i}.{new string('p', 20)}@example.com>").ToList();
        var bytes = Encoding.ASCII.GetBytes("References: " + string.Join("\r\n ", ids) + "\r\n\r\nbody\r\n");
        var references = (await IndexAsync(bytes)).Index.References!;
        references.Should().HaveCount(MimeIndexer.MaxThreadReferences);
        references[0].Should().StartWith("0.");
        references[1].Should().StartWith($"{5000 - MimeIndexer.MaxThreadReferences + 1}.");
        references[^1].Should().StartWith("4999.");
    }

    [Fact]
    public async Task A_message_nested_10000_levels_is_clipped_at_the_depth_limit()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            sb.Append("Content-Type: multipart/mixed; boundary=b").Append(i).Append("\r\n\r\n--b").Append(i).Append("\r\n");
        }

        sb.Append("\r\nleaf\r\n");
        var watch = Stopwatch.StartNew();
        var indexed = await IndexAsync(Encoding.ASCII.GetBytes(sb.ToString()));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        var depth = 0;
        for (var part = indexed.Index.Body; part.Parts.Count > 0; part = part.Parts[0])
        {
            depth++;
        }

        depth.Should().BeLessThanOrEqualTo(MailStoreLimits.Default.MaxMimeDepth);
    }

    [Fact]
    public async Task Hundred_thousand_parts_are_clipped_at_the_part_limit_in_linear_time()
    {
        var sb = new StringBuilder("Content-Type: multipart/mixed; boundary=a\r\n\r\n");
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append("--a\r\nx:y\r\n\r\n");
        }

        sb.Append("--a--\r\n");
        var watch = Stopwatch.StartNew();
        var indexed = await IndexAsync(Encoding.ASCII.GetBytes(sb.ToString()));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        indexed.Index.Clipped.Should().BeTrue();
        indexed.Index.Body.Parts.Count.Should().BeLessThan(MailStoreLimits.Default.MaxMimeParts);
    }

    [Fact]
    public async Task A_flood_of_to_headers_costs_only_the_first()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 200_000; i++)
        {
            sb.Append("To: user").Append(i).Append("@example.com\r\n");
        }

        sb.Append("\r\nbody\r\n");
        var watch = Stopwatch.StartNew();
        var indexed = await IndexAsync(Encoding.ASCII.GetBytes(sb.ToString()));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        indexed.Index.Envelope.To.Should().ContainSingle().Which.Mailbox.Should().Be("user0");
        indexed.HeaderText.Length.Should().BeLessThanOrEqualTo(MailStoreLimits.Default.MaxIndexedHeaderLength);
    }

    [Fact]
    public async Task Preview_prefers_plain_text_and_collapses_whitespace()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Type: text/html\r\n\r\n<html><style>p{}</style><p>Hello&nbsp;<b>there</b></p>\r\n\r\n<p>second   line</p></html>\r\n");
        var indexed = await IndexAsync(bytes);
        indexed.Index.Preview.Should().Contain("there").And.Contain("second line").And.NotContain("p{}").And.NotContain("<");
        var longText = Encoding.ASCII.GetBytes("Subject: x\r\n\r\n" + string.Concat(Enumerable.Repeat("word  \r\n ", 200)));
        var preview = (await IndexAsync(longText)).Index.Preview;
        preview.Length.Should().BeLessThanOrEqualTo(MimeIndexer.MaxPreviewLength);
        preview.Should().NotContain("  ").And.StartWith("word word");
    }

    [Fact]
    public async Task Body_text_joins_the_decoded_text_parts_in_order()
    {
        var html = "<html><script>var hidden = 1;</script><p>visible caf\u00e9</p></html>";
        var bytes = Encoding.ASCII.GetBytes(
            "Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
            "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nsoup=E9 du jour\r\n" +
            "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\naGlkZGVu\r\n" +
            "--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            Convert.ToBase64String(Encoding.UTF8.GetBytes(html), Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n");
        var indexed = await IndexAsync(bytes);
        indexed.BodyText.Should().StartWith("soup\u00e9 du jour\r\n\n").And.EndWith("visible caf\u00e9 ")
            .And.NotContain("hidden").And.NotContain("<p>");
        indexed.Index.Preview.Should().Be("soup\u00e9 du jour");
    }

    [Fact]
    public async Task Body_text_of_a_large_part_keeps_multibyte_characters_whole_and_stops_at_the_cap_in_characters()
    {
        // 40,000 two-byte characters: the parser hands the content over in pieces that split some of them.
        var line = string.Concat(Enumerable.Repeat("\u00e9\u00e8\u00ea\u00eb", 19)) + "\r\n";
        var text = string.Concat(Enumerable.Repeat(line, 40_000 / 76 + 1));
        var bytes = Encoding.UTF8.GetBytes("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text);
        var whole = await IndexAsync(bytes);
        whole.BodyText.Should().Be(text);

        var limits = new MailStoreLimits { MaxIndexedTextLength = 1000 };
        var capped = await IndexAsync(bytes, limits);
        capped.BodyText.Should().Be(text[..1000]);
        capped.Index.Preview.Should().StartWith("\u00e9\u00e8\u00ea\u00eb");
    }

    [Fact]
    public async Task Text_cut_inside_a_character_ends_with_a_replacement_character()
    {
        var bytes = new byte[] { (byte)'\r', (byte)'\n', (byte)'a', 0xC3 };
        var indexed = await IndexAsync([.. Encoding.ASCII.GetBytes("Content-Type: text/plain; charset=utf-8\r\n"), .. bytes]);
        indexed.BodyText.Should().StartWith("a\uFFFD");
    }
}
