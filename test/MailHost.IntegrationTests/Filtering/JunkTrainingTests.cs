using System.Threading.Channels;
using MailHost.Filtering;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Filtering;

/// <summary>
/// IMAP MOVE and COPY into and out of Junk teach the registered learners, after the command was answered and never
/// on its time; moves that say nothing about spam (into Trash, between ordinary mailboxes) teach nothing.
/// </summary>
public sealed class JunkTrainingTests
{
    private static Task<TestMailServer<MailHost.Imap.ImapConnectionHandler>> StartAsync(MailWorld world, RecordingLearner learner)
        => ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, configure: services =>
        {
            services.AddMailHostFiltering();
            services.AddSingleton<IJunkLearner>(learner);
            services.Configure<InboundFilteringOptions>(o => o.JunkTrainingPerSecond = 1000);
        });

    [Fact]
    public async Task MOVE_into_Junk_teaches_spam_and_out_of_Junk_teaches_ham_with_the_message_content()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", "Subject: cheap pills\r\n\r\nbuy now\r\n");
        var learner = new RecordingLearner();
        await using var server = await StartAsync(world, learner);
        await using var client = await ImapTestServer.LoginAsync(server);

        await client.CommandAsync("a", "SELECT INBOX");
        (await client.CommandAsync("b", "MOVE 1 Junk"))[^1].Should().Be("b OK MOVE completed");
        var spam = await learner.NextAsync();
        spam.Classification.Should().Be(JunkClassification.Junk);
        spam.Account.Should().Be("alice");
        spam.Content.Should().Be("Subject: cheap pills\r\n\r\nbuy now\r\n");

        await client.CommandAsync("c", "SELECT Junk");
        (await client.CommandAsync("d", "MOVE 1 INBOX"))[^1].Should().Be("d OK MOVE completed");
        (await learner.NextAsync()).Classification.Should().Be(JunkClassification.NotJunk);
    }

    [Fact]
    public async Task Moves_into_Trash_or_between_ordinary_mailboxes_teach_nothing()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", "Subject: one\r\n\r\nx\r\n");
        await world.DeliverAsync("alice", "Subject: two\r\n\r\ny\r\n");
        var learner = new RecordingLearner();
        await using var server = await StartAsync(world, learner);
        await using var client = await ImapTestServer.LoginAsync(server);

        await client.CommandAsync("a", "SELECT INBOX");
        await client.CommandAsync("b", "MOVE 1 Junk");
        (await learner.NextAsync()).Classification.Should().Be(JunkClassification.Junk);
        await client.CommandAsync("c", "COPY 1 Archive");
        await client.CommandAsync("d", "SELECT Junk");
        await client.CommandAsync("e", "MOVE 1 Trash");

        // A marker move after them: when it arrives, the two before it were looked at and taught nothing.
        await client.CommandAsync("f", "SELECT INBOX");
        await client.CommandAsync("g", "COPY 1 Junk");
        var next = await learner.NextAsync();
        next.Content.Should().Contain("Subject: two");
        learner.Count.Should().Be(2);
    }

    [Fact]
    public async Task A_learner_that_hangs_never_delays_the_MOVE()
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", "Subject: one\r\n\r\nx\r\n");
        await world.DeliverAsync("alice", "Subject: two\r\n\r\ny\r\n");
        var learner = new RecordingLearner { Gate = new TaskCompletionSource() };
        await using var server = await StartAsync(world, learner);
        await using var client = await ImapTestServer.LoginAsync(server);

        await client.CommandAsync("a", "SELECT INBOX");
        (await client.CommandAsync("b", "MOVE 1 Junk").WaitAsync(TimeSpan.FromSeconds(10)))[^1].Should().Be("b OK MOVE completed");
        (await client.CommandAsync("c", "MOVE 1 Junk").WaitAsync(TimeSpan.FromSeconds(10)))[^1].Should().Be("c OK MOVE completed");
        learner.Gate.SetResult();
        (await learner.NextAsync()).Classification.Should().Be(JunkClassification.Junk);
        (await learner.NextAsync()).Classification.Should().Be(JunkClassification.Junk);
    }

    [Theory]
    [InlineData(MailboxAttributes.None, MailboxAttributes.Junk, JunkClassification.Junk)]
    [InlineData(MailboxAttributes.Archive, MailboxAttributes.Junk, JunkClassification.Junk)]
    [InlineData(MailboxAttributes.Junk, MailboxAttributes.None, JunkClassification.NotJunk)]
    [InlineData(MailboxAttributes.Junk, MailboxAttributes.Archive, JunkClassification.NotJunk)]
    [InlineData(MailboxAttributes.Junk, MailboxAttributes.Trash, null)]
    [InlineData(MailboxAttributes.Junk, MailboxAttributes.Junk, null)]
    [InlineData(MailboxAttributes.None, MailboxAttributes.Trash, null)]
    [InlineData(MailboxAttributes.None, MailboxAttributes.Archive, null)]
    public void A_move_is_classified_by_the_special_use_of_its_two_mailboxes(MailboxAttributes source, MailboxAttributes destination, JunkClassification? expected)
        => JunkTrainingQueue.Classify(source, destination).Should().Be(expected);

    internal sealed class RecordingLearner : IJunkLearner
    {
        private readonly Channel<(string Account, JunkClassification Classification, string Content)> _learned = Channel.CreateUnbounded<(string, JunkClassification, string)>();
        private int _count;

        public string Name => "recording";

        /// <summary>When set, every lesson waits for it.</summary>
        public TaskCompletionSource? Gate { get; init; }

        public int Count => Volatile.Read(ref _count);

        public async Task LearnAsync(string accountName, JunkClassification classification, Stream message, CancellationToken cancellationToken)
        {
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            using var reader = new StreamReader(message);
            var content = await reader.ReadToEndAsync(cancellationToken);
            Interlocked.Increment(ref _count);
            _learned.Writer.TryWrite((accountName, classification, content));
        }

        public async Task<(string Account, JunkClassification Classification, string Content)> NextAsync()
            => await _learned.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
