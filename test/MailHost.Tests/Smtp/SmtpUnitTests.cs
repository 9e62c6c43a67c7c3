using System.Net;
using System.Text;
using MailHost.Protocols.Smtp;
using MailHost.Smtp;

namespace MailHost.Tests.Smtp;

/// <summary>The SMTP server's pure helpers: loop counting, the state table and the trace header fields.</summary>
public sealed class SmtpUnitTests
{
    [Theory]
    [InlineData("Received: a\r\nreceived: b\r\n\tby c\r\nRECEIVED:d\r\nX-Received: e\r\n\r\nReceived: body\r\n", 3)]
    [InlineData("Subject: x\r\n\r\nReceived: body only\r\n", 0)]
    [InlineData("\r\nReceived: no header section\r\n", 0)]
    [InlineData("Receive: short\r\nReceivedX: not a field name\r\n", 0)]
    public void Received_fields_are_counted_in_the_header_only_at_every_split(string message, int expected)
    {
        var bytes = Encoding.ASCII.GetBytes(message);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var counter = new SmtpReceivedCounter();
            counter.Scan(bytes.AsSpan(0, split));
            counter.Scan(bytes.AsSpan(split));
            counter.Count.Should().Be(expected, "split at {0}", split);
        }
    }

    [Theory]
    [InlineData(SmtpCommandKind.Mail, "Connected", "503 5.5.1 Send EHLO or HELO first")]
    [InlineData(SmtpCommandKind.Mail, "Ready", null)]
    [InlineData(SmtpCommandKind.Mail, "Recipients", "503 5.5.1 Nested MAIL command")]
    [InlineData(SmtpCommandKind.Rcpt, "Ready", "503 5.5.1 Send MAIL first")]
    [InlineData(SmtpCommandKind.Rcpt, "Recipients", null)]
    [InlineData(SmtpCommandKind.Data, "Mail", "554 5.5.1 No valid recipients")]
    [InlineData(SmtpCommandKind.Data, "Chunking", "503 5.5.1 Only BDAT, RSET, NOOP and QUIT are allowed between BDAT chunks")]
    [InlineData(SmtpCommandKind.Bdat, "Chunking", null)]
    [InlineData(SmtpCommandKind.Bdat, "Ready", "503 5.5.1 Send MAIL and RCPT first")]
    [InlineData(SmtpCommandKind.StartTls, "Mail", "503 5.5.1 Not allowed during a mail transaction")]
    [InlineData(SmtpCommandKind.Auth, "Connected", "503 5.5.1 Send EHLO or HELO first")]
    [InlineData(SmtpCommandKind.Auth, "Recipients", "503 5.5.1 Not allowed during a mail transaction")]
    [InlineData(SmtpCommandKind.Rset, "Chunking", null)]
    [InlineData(SmtpCommandKind.Ehlo, "Recipients", null)]
    public void The_state_table_gives_the_exact_refusal(SmtpCommandKind kind, string state, string? expected)
        => (SmtpCommandTable.Refusal(kind, Enum.Parse<SmtpSessionState>(state))?.ToString()).Should().Be(expected);

    [Theory]
    [InlineData(false, false, false, false, "SMTP")]
    [InlineData(true, false, false, false, "ESMTP")]
    [InlineData(true, false, true, false, "ESMTPS")]
    [InlineData(true, false, false, true, "ESMTPA")]
    [InlineData(true, false, true, true, "ESMTPSA")]
    [InlineData(true, true, true, true, "UTF8SMTPSA")]
    public void The_with_clause_names_the_protocol_as_RFC_3848_and_6531_do(bool extended, bool utf8, bool tls, bool authenticated, string expected)
        => SmtpTraceHeaders.Protocol(extended, utf8, tls, authenticated).Should().Be(expected);

    [Fact]
    public void The_Received_field_never_copies_an_EHLO_argument_outside_the_grammar()
    {
        var when = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

        var text = Encoding.UTF8.GetString(SmtpTraceHeaders.Received(
            "mx.example.com", "bad(name)", SmtpIdentityKind.Other, new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.7"), 4000), "ESMTPS", "TLSv1.3 TLS_AES_256_GCM_SHA384", "abc", null, when));

        text.Should().Be("Received: from [192.0.2.7] ([192.0.2.7])\r\n\tby mx.example.com (MailHost) with ESMTPS (TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n\tid abc;\r\n\tSat, 28 Nov 2026 10:00:00 +0000\r\n");
    }
}
