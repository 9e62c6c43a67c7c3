using System.Text;
using MailHost.MailAuthentication;
using MailHost.Server.Administration.Operations;

namespace MailHost.IntegrationTests.Admin;

/// <summary>The scan of the server's quarantine fields in a stored header: whole, one byte at a time, and split at every point.</summary>
public sealed class QuarantineFieldsTests
{
    private const string Held =
        "Return-Path: <sender@remote.example>\r\n" +
        "Received: from mx.remote.example\r\n\tby mail.example.com; Mon, 2 Mar 2026 10:00:00 +0000\r\n" +
        "X-MailHost-Quarantine: rspamd: score=7.1/15\r\n" +
        "X-MailHost-Original-Recipients: alice@example.com, \"a, b\"@example.com\r\n" +
        "x-mailhost-original-sender : <>\r\n" +
        "X-MailHost-Transaction: 0123456789abcdef\r\n" +
        "From: x@remote.example\r\n" +
        "X-MailHost-Original-Recipients: root@example.com\r\n" +
        "\r\n" +
        "X-MailHost-Quarantine: in the body\r\n";

    [Fact]
    public void The_first_field_of_each_name_is_read_with_its_exact_range()
    {
        QuarantineFields.TryParse(Encoding.ASCII.GetBytes(Held), final: true, out var fields).Should().BeTrue();

        Check(fields!);
    }

    [Fact]
    public void Every_prefix_either_needs_more_or_gives_the_same_fields()
    {
        var bytes = Encoding.ASCII.GetBytes(Held);
        for (var length = 0; length < bytes.Length; length++)
        {
            if (QuarantineFields.TryParse(bytes.AsSpan(0, length), final: false, out var fields))
            {
                Check(fields);
            }
        }
    }

    [Fact]
    public async Task A_stream_that_gives_one_byte_at_a_time_is_read_to_the_same_fields_and_not_far_into_the_body()
    {
        using var stream = new TrickleStream(Encoding.ASCII.GetBytes(Held + new string('x', 100_000)));

        var fields = await QuarantineFields.ReadAsync(stream, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Check(fields);
        stream.Position.Should().BeLessThanOrEqualTo(8 * 1024, "the scan stops at its first buffer, which holds the four fields");
    }

    [Fact]
    public void A_header_without_the_fields_ends_at_the_empty_line_with_none()
    {
        QuarantineFields.TryParse("Subject: hi\r\n\r\nX-MailHost-Original-Recipients: a@example.com\r\n"u8, final: false, out var fields).Should().BeTrue();

        fields!.IsQuarantined.Should().BeFalse();
        fields.Reason.Should().BeNull();
        fields.Removals.Should().BeEmpty();
    }

    [Theory]
    [InlineData("a@example.com", new[] { "a@example.com" })]
    [InlineData("a@example.com, b@example.org", new[] { "a@example.com", "b@example.org" })]
    [InlineData("\"x, y\"@example.com,b@example.org", new[] { "\"x, y\"@example.com", "b@example.org" })]
    [InlineData("\"x\\\", y\"@example.com, b@example.org", new[] { "\"x\\\", y\"@example.com", "b@example.org" })]
    [InlineData(" , ", new string[0])]
    public void Recipients_split_at_commas_outside_quoted_local_parts(string value, string[] expected)
        => QuarantineFields.SplitRecipients(value).Should().Equal(expected);

    private static void Check(QuarantineFields fields)
    {
        fields.Reason.Should().Be("rspamd: score=7.1/15");
        fields.Recipients.Should().Equal("alice@example.com", "\"a, b\"@example.com");
        fields.Sender.Should().Be("<>");
        fields.Transaction.Should().Be("0123456789abcdef");
        var first = Held.IndexOf("X-MailHost-Quarantine:", StringComparison.Ordinal);
        var end = Held.IndexOf("From:", StringComparison.Ordinal);
        fields.Removals.Sum(r => r.RemoveLength).Should().Be(end - first, "the four fields are one block");
        fields.Removals[0].Offset.Should().Be(first);
        var kept = MessageEdit.Apply(0, Held.Length, fields.Removals);
        string.Concat(kept.Select(s => Held.Substring((int)s.Offset, (int)s.Length))).Should().Be(Held[..first] + Held[end..]);
    }

    /// <summary>A stream that answers every read with one byte.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);
    }
}
