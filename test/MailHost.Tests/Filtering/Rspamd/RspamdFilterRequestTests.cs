using System.Net;
using System.Text;
using MailHost.Filtering;
using MailHost.Filtering.Rspamd;
using MailHost.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Filtering.Rspamd;

/// <summary>What the filter sends to rspamd and how it takes rspamd's failures, against a recording HTTP handler.</summary>
public sealed class RspamdFilterRequestTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("Subject: hi\r\nFrom: a@example.com\r\n\r\nHello\r\n");

    [Fact]
    public async Task The_envelope_and_client_go_in_rspamds_request_headers()
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, """{"action":"no action","score":0,"required_score":15}""");
        using var filter = Filter(handler);
        var session = Session();
        session.HeloName = "client.example.net";
        session.IsTls = true;
        session.TlsDescription = "TLSv1.3 TLS_AES_256_GCM_SHA384";
        session.AuthenticatedAccount = "alice";
        var envelope = new InboundFilterEnvelope { TransactionId = "T1234", Sender = "sender@example.net" };
        envelope.AddRecipient("b@example.org");
        envelope.AddRecipient("c@example.org");

        var verdict = await filter.MessageAsync(session, envelope, Stored(Message), CancellationToken.None).AsTask().WaitAsync(Limit);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        handler.Url.Should().Be(new Uri("http://rspamd.test:11333/checkv2"));
        handler.Method.Should().Be(HttpMethod.Post);
        handler.Body.Should().Equal(Message);
        handler.ContentLength.Should().Be(Message.Length);
        handler.Header("IP").Should().Equal("192.0.2.7");
        handler.Header("Helo").Should().Equal("client.example.net");
        handler.Header("From").Should().Equal("sender@example.net");
        handler.Header("Rcpt").Should().Equal("b@example.org", "c@example.org");
        handler.Header("Queue-Id").Should().Equal("T1234");
        handler.Header("MTA-Name").Should().Equal("mx.example.com");
        handler.Header("User").Should().Equal("alice");
        handler.Header("TLS-Version").Should().Equal("TLSv1.3");
        handler.Header("TLS-Cipher").Should().Equal("TLS_AES_256_GCM_SHA384");
        handler.Header("Settings-ID").Should().BeEmpty();
    }

    [Fact]
    public async Task The_null_sender_is_sent_as_angle_brackets_and_a_mapped_address_as_IPv4()
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, """{"action":"no action","score":0,"required_score":15}""");
        using var filter = Filter(handler);
        var session = new InboundFilterSession { ClientAddress = IPAddress.Parse("::ffff:198.51.100.9"), ServerName = "mx.example.com", ConnectionId = "c1" };
        var envelope = new InboundFilterEnvelope { TransactionId = "T1", Sender = "" };
        envelope.AddRecipient("b@example.org");

        await filter.MessageAsync(session, envelope, Stored(Message), CancellationToken.None).AsTask().WaitAsync(Limit);

        handler.Header("From").Should().Equal("<>");
        handler.Header("IP").Should().Equal("198.51.100.9");
        handler.Header("Helo").Should().BeEmpty();
        handler.Header("User").Should().BeEmpty();
        handler.Header("TLS-Version").Should().BeEmpty();
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_accepted_unscanned()
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, "{}");
        using var filter = Filter(handler, maxMessageSize: 10);

        var verdict = await filter.MessageAsync(Session(), Envelope(), Stored(Message), CancellationToken.None).AsTask().WaitAsync(Limit);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Contain("not scanned").And.Contain("MaxMessageSize");
        handler.Url.Should().BeNull();
    }

    [Fact]
    public async Task A_status_other_than_2xx_throws_with_rspamds_error()
    {
        using var handler = new RecordingHandler(HttpStatusCode.InternalServerError, """{"error":"invalid command","error_domain":"protocol-error"}""");
        using var filter = Filter(handler);

        var act = () => filter.MessageAsync(Session(), Envelope(), Stored(Message), CancellationToken.None).AsTask().WaitAsync(Limit);

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.Message.Should().Contain("500").And.Contain("invalid command");
    }

    [Fact]
    public async Task A_reply_that_is_not_json_throws()
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, "<html>proxy error</html>");
        using var filter = Filter(handler);

        var act = () => filter.MessageAsync(Session(), Envelope(), Stored(Message), CancellationToken.None).AsTask().WaitAsync(Limit);

        (await act.Should().ThrowAsync<InvalidDataException>()).Which.Message.Should().Contain("not JSON");
    }

    [Fact]
    public async Task Rewrite_subject_without_rspamds_subject_reads_the_messages_own()
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, """{"action":"rewrite subject","score":7,"required_score":15}""");
        using var filter = Filter(handler);

        var verdict = await filter.MessageAsync(Session(), Envelope(), Stored(Message), CancellationToken.None).AsTask().WaitAsync(Limit);

        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("Subject", "***SPAM*** hi"));
    }

    internal static InboundFilterMessage Stored(byte[] message)
        => new(message.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(message, writable: false)));

    private static InboundFilterSession Session()
        => new() { ClientAddress = IPAddress.Parse("192.0.2.7"), ClientPort = 40000, Protocol = MailProtocol.Smtp, ServerName = "mx.example.com", ConnectionId = "c1" };

    private static InboundFilterEnvelope Envelope()
    {
        var envelope = new InboundFilterEnvelope { TransactionId = "T1", Sender = "a@example.com" };
        envelope.AddRecipient("b@example.org");
        return envelope;
    }

    private static RspamdFilter Filter(RecordingHandler handler, long maxMessageSize = RspamdOptions.DefaultMaxMessageSize)
        => new(new RspamdOptions { Url = "http://rspamd.test:11333", MaxMessageSize = maxMessageSize }, NullLogger<RspamdFilter>.Instance, handler);
}
