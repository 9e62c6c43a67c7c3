using System.Net;
using System.Text;
using MailHost.Filtering;
using MailHost.Filtering.Rspamd;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Filtering.Rspamd;

/// <summary>What the learner sends to rspamd's controller and which answers count as learned.</summary>
public sealed class RspamdJunkLearnerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("Subject: hi\r\n\r\nHello\r\n");

    [Theory]
    [InlineData(JunkClassification.Junk, "http://rspamd.test:11334/learnspam")]
    [InlineData(JunkClassification.NotJunk, "http://rspamd.test:11334/learnham")]
    public async Task Junk_goes_to_learnspam_and_not_junk_to_learnham_with_the_password(JunkClassification classification, string url)
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, """{"success":true}""");
        using var learner = Learner(handler, "s3cret");
        using var message = new MemoryStream(Message);

        await learner.LearnAsync("alice", classification, message, CancellationToken.None).WaitAsync(Limit);

        handler.Url.Should().Be(new Uri(url));
        handler.Method.Should().Be(HttpMethod.Post);
        handler.Header("Password").Should().Equal("s3cret");
        handler.Body.Should().Equal(Message);
        handler.ContentLength.Should().Be(Message.Length);
    }

    [Fact]
    public async Task Without_a_password_no_password_header_is_sent()
    {
        using var handler = new RecordingHandler(HttpStatusCode.OK, """{"success":true}""");
        using var learner = Learner(handler, password: null);
        using var message = new MemoryStream(Message);

        await learner.LearnAsync("alice", JunkClassification.Junk, message, CancellationToken.None).WaitAsync(Limit);

        handler.Header("Password").Should().BeEmpty();
    }

    [Theory]
    // rspamd 3.4 (sqlite3 backend) answers a repeat with 404 and this text; other setups with 208.
    [InlineData(HttpStatusCode.NotFound, """{"error":"<3@example.com> has been already learned as spam, ignore it"}""", null)]
    [InlineData(HttpStatusCode.AlreadyReported, """{"error":"<3@example.com> has been already learned as spam, ignore it"}""", null)]
    // Too few tokens: 204 with the reason in the status line and no body.
    [InlineData(HttpStatusCode.NoContent, "", "<2@example.com> contains less tokens than required for bayes classifier: 8 < 11")]
    public async Task Already_learned_and_unlearnable_messages_count_as_done(HttpStatusCode status, string body, string? reason)
    {
        using var handler = new RecordingHandler(status, body, reason);
        using var learner = Learner(handler, "s3cret");
        using var message = new MemoryStream(Message);

        var act = () => learner.LearnAsync("alice", JunkClassification.Junk, message, CancellationToken.None).WaitAsync(Limit);

        await act.Should().NotThrowAsync();
        handler.Url.Should().NotBeNull();
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"Unauthorized"}""", "Unauthorized")]
    [InlineData(HttpStatusCode.NotFound, """{"error":"invalid command"}""", "invalid command")]
    [InlineData(HttpStatusCode.InternalServerError, """{"error":"Learn failed: backend error"}""", "backend error")]
    public async Task Other_refusals_throw_with_the_status_and_rspamds_error(HttpStatusCode status, string body, string text)
    {
        using var handler = new RecordingHandler(status, body);
        using var learner = Learner(handler, "s3cret");
        using var message = new MemoryStream(Message);

        var act = () => learner.LearnAsync("alice", JunkClassification.NotJunk, message, CancellationToken.None).WaitAsync(Limit);

        var thrown = (await act.Should().ThrowAsync<HttpRequestException>()).Which;
        thrown.StatusCode.Should().Be(status);
        thrown.Message.Should().Contain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain(text).And.Contain("ham");
    }

    private static RspamdJunkLearner Learner(RecordingHandler handler, string? password)
        => new(new RspamdOptions { ControllerUrl = "http://rspamd.test:11334/", Password = password }, NullLogger<RspamdJunkLearner>.Instance, handler);
}
