using System.Net;
using MailHost.Filtering;
using MailHost.Filtering.Rspamd;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>The Junk learner against a real rspamd's controller: what it teaches shows in the controller's /stat.</summary>
[Collection(nameof(RspamdServer))]
public sealed class RspamdJunkLearnerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [RspamdFact]
    public async Task Junk_is_learned_as_spam_and_not_junk_as_ham()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var learner = Learner(rspamd, rspamd.Password);
        var before = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);

        await LearnAsync(learner, JunkClassification.Junk, RspamdTestMessages.Learnable(spam: true, seed: 1));
        var afterSpam = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);
        // A stream that cannot seek goes chunked, as the training queue may hand one.
        await LearnAsync(learner, JunkClassification.NotJunk, RspamdTestMessages.Learnable(spam: false, seed: 2), forwardOnly: true);
        var afterHam = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);

        afterSpam.Should().Be(before with { Learned = before.Learned + 1, SpamRevision = before.SpamRevision + 1 }, rspamd.Output);
        afterHam.Should().Be(afterSpam with { Learned = afterSpam.Learned + 1, HamRevision = afterSpam.HamRevision + 1 }, rspamd.Output);
    }

    [RspamdFact]
    public async Task A_message_learned_twice_or_too_short_to_learn_is_no_failure()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var learner = Learner(rspamd, rspamd.Password);
        var spam = RspamdTestMessages.Learnable(spam: true, seed: 3);
        await LearnAsync(learner, JunkClassification.Junk, spam);
        var once = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);

        await LearnAsync(learner, JunkClassification.Junk, spam);
        await LearnAsync(learner, JunkClassification.Junk, RspamdTestMessages.TooShortToLearn());

        var after = await rspamd.ReadLearnCountersAsync().WaitAsync(Bound);
        after.SpamRevision.Should().Be(once.SpamRevision, "rspamd learned neither the repeat nor the short message");
        once.SpamRevision.Should().BeGreaterThan(0);
    }

    [RspamdFact]
    public async Task A_wrong_password_throws_with_rspamds_refusal()
    {
        await using var rspamd = await RspamdServer.StartAsync().WaitAsync(RspamdServer.StartBound);
        using var learner = Learner(rspamd, "not-the-password");

        var act = () => LearnAsync(learner, JunkClassification.Junk, RspamdTestMessages.Learnable(spam: true, seed: 4));

        var thrown = (await act.Should().ThrowAsync<HttpRequestException>()).Which;
        thrown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        thrown.Message.Should().Contain("401").And.Contain("Unauthorized");
        (await rspamd.ReadLearnCountersAsync().WaitAsync(Bound)).SpamRevision.Should().Be(0);
    }

    private static RspamdJunkLearner Learner(RspamdServer rspamd, string password)
        => new(new RspamdOptions { ControllerUrl = rspamd.ControllerUrl, Password = password }, NullLogger<RspamdJunkLearner>.Instance);

    private static async Task LearnAsync(RspamdJunkLearner learner, JunkClassification classification, byte[] message, bool forwardOnly = false)
    {
        using var stream = forwardOnly ? new ForwardOnlyStream(message) : (Stream)new MemoryStream(message, writable: false);
        await learner.LearnAsync("alice", classification, stream, CancellationToken.None).WaitAsync(Bound);
    }

    /// <summary>A read-only stream that cannot seek or tell its length.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content, writable: false);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
