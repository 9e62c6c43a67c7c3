using System.Data.Common;
using System.Text;
using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Queue;
using MailHost.Delivery.Transport;
using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace MailHost.Tests.Delivery;

/// <summary>Outbound messages through the real transport to loopback receivers, checked with MimeKit's DKIM verifier.</summary>
public sealed partial class DkimDeliveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDnsZone _dns = new();
    private readonly RecordingMailStore _local = new();
    private readonly RecordingLogger _log = new();
    private readonly DkimRecordLocator _published = new();
    private readonly LoopbackSmtpReceiver _eightBit = new("8BITMIME");
    private readonly LoopbackSmtpReceiver _sevenBit = new(string.Empty);
    private readonly OutboundDeliveryOptions _options = new();
    private IDkimKeyStore _keys = new InMemoryDkimKeyStore();
    private SqliteOutboundQueueStore _queue = null!;
    private SmtpOutboundTransport? _transport;

    public async Task InitializeAsync()
    {
        _options.Routes["remote.test"] = "127.0.0.1:" + _eightBit.Port;
        _options.Routes["seven.test"] = "127.0.0.1:" + _sevenBit.Port;
        _queue = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_transport is not null)
        {
            await _transport.DisposeAsync();
        }

        await _queue.DisposeAsync();
        await _eightBit.DisposeAsync();
        await _sevenBit.DisposeAsync();
        _directory.Dispose();
    }

    private async Task<DkimKey> CreateKeyAsync(string algorithm, string domain = "local.test")
    {
        var key = DkimKeys.Create(domain, "mh20260301", algorithm, _time.GetUtcNow());
        (await _keys.SaveAsync(key, CancellationToken.None)).IsSuccess.Should().BeTrue();
        _published.Publish(key);
        return key;
    }

    private async Task<int> RunAsync()
    {
        _transport ??= new SmtpOutboundTransport(_dns, _options, "mail.local.test", _time, NullLogger.Instance, new DkimMessageSigner(_keys, _local, _time, _log));
        var notifier = new DeliveryStatusNotifier(_local, _local, _queue, _options, "mail.local.test", _time, NullLogger.Instance);
        var processor = new OutboundDeliveryProcessor(_queue, new OutboundRouter(_dns, _options), _transport, notifier, _options, _time, NullLogger.Instance);
        return await processor.RunDueAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    private async Task<string> EnqueueAsync(string content, params string[] recipients)
    {
        var envelope = new OutboundEnvelope("alice@local.test", [.. recipients.Select(r => new OutboundRecipient(r))], "alice");
        var result = await _queue.EnqueueAsync(envelope, new MemoryStream(Encoding.UTF8.GetBytes(content)), _time.GetUtcNow().AddDays(5), CancellationToken.None);
        return result.Value;
    }

    private static string Message(string body = "Hello Bob.\r\n", string encoding = "7bit", string from = "Alice <alice@Local.Test>") =>
        $"From: {from}\r\nTo: bob@remote.test\r\nSubject: Plans\r\nDate: Sun, 1 Mar 2026 12:00:00 +0000\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@local.test>\r\nMIME-Version: 1.0\r\n" +
        $"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{body}";

    private static MimeMessage Received(LoopbackSmtpReceiver receiver)
    {
        // The receiver keeps each byte as one Latin-1 character; turning them back gives the bytes on the wire.
        var data = receiver.Transactions.Should().ContainSingle().Subject.Data;
        return MimeMessage.Load(new MemoryStream(Encoding.Latin1.GetBytes(data)));
    }

    [Theory]
    [InlineData(DkimAlgorithms.RsaSha256, "rsa-sha256")]
    [InlineData(DkimAlgorithms.Ed25519Sha256, "ed25519-sha256")]
    public async Task A_sent_message_carries_one_signature_of_the_author_domain_that_verifies(string algorithm, string tag)
    {
        await CreateKeyAsync(algorithm);
        await EnqueueAsync(Message(), "bob@remote.test");

        (await RunAsync()).Should().Be(1);

        var received = Received(_eightBit);
        var signatures = received.Headers.Where(h => h.Id == HeaderId.DkimSignature).ToList();
        signatures.Should().ContainSingle();
        received.Headers[0].Id.Should().Be(HeaderId.DkimSignature, "the signature is added at the top");
        var tags = DkimSigningTests.Tags(signatures[0].Value);
        tags["d"].Should().Be("local.test");
        tags["s"].Should().Be("mh20260301");
        tags["a"].Should().Be(tag);
        (await _published.VerifyAllAsync(received)).Should().Equal(true);
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Theory]
    [InlineData(DkimAlgorithms.RsaSha256)]
    [InlineData(DkimAlgorithms.Ed25519Sha256)]
    public async Task An_8bit_body_to_a_receiver_without_8BITMIME_is_reencoded_before_signing_and_verifies(string algorithm)
    {
        await CreateKeyAsync(algorithm);
        await EnqueueAsync(Message(body: "Grüße aus Köln, ça va?\r\n", encoding: "8bit").Replace("To: bob@remote.test", "To: bob@seven.test", StringComparison.Ordinal), "bob@seven.test");

        await RunAsync();

        var data = _sevenBit.Transactions.Should().ContainSingle().Subject.Data;
        data.Should().MatchRegex("^[\\x00-\\x7F]*$", "RFC 6152: without 8BITMIME only 7-bit data may be sent");
        var received = Received(_sevenBit);
        received.Body!.Headers[HeaderId.ContentTransferEncoding].Should().BeOneOf("quoted-printable", "base64");
        received.TextBody!.TrimEnd().Should().Be("Grüße aus Köln, ça va?");
        (await _published.VerifyAllAsync(received)).Should().Equal(true);
    }

    [Fact]
    public async Task An_8bit_body_to_an_8BITMIME_receiver_travels_as_is_and_verifies()
    {
        await CreateKeyAsync(DkimAlgorithms.RsaSha256);
        await EnqueueAsync(Message(body: "Grüße aus Köln\r\n", encoding: "8bit"), "bob@remote.test");

        await RunAsync();

        var received = Received(_eightBit);
        received.Body!.Headers[HeaderId.ContentTransferEncoding].Should().Be("8bit");
        received.TextBody!.TrimEnd().Should().Be("Grüße aus Köln");
        (await _published.VerifyAllAsync(received)).Should().Equal(true);
    }

    [Fact]
    public async Task Each_destination_of_one_message_gets_exactly_one_fresh_signature()
    {
        await CreateKeyAsync(DkimAlgorithms.Ed25519Sha256);
        await EnqueueAsync(Message(body: "Grüße\r\n", encoding: "8bit"), "bob@remote.test", "carol@seven.test");

        await RunAsync();

        foreach (var receiver in new[] { _eightBit, _sevenBit })
        {
            var received = Received(receiver);
            received.Headers.Count(h => h.Id == HeaderId.DkimSignature).Should().Be(1);
            (await _published.VerifyAllAsync(received)).Should().Equal(true);
        }
    }

    [Fact]
    public async Task Without_a_key_for_the_author_domain_the_message_goes_unsigned()
    {
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "other.test");
        await EnqueueAsync(Message(), "bob@remote.test");

        await RunAsync();

        Received(_eightBit).Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();
        _log.Entries.Should().Contain(e => e.EventId.Id == 3202 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task The_envelope_sender_does_not_choose_the_key_the_From_field_does()
    {
        // alice may write as news@brand.test (an alias of hers); her envelope domain has a key too, but the
        // signature must align with the From domain (RFC 7489 §3.1.1).
        _local.Accounts["news@brand.test"] = "alice";
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "local.test");
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "brand.test");
        await EnqueueAsync(Message(from: "Newsletter <news@brand.test>"), "bob@remote.test");

        await RunAsync();

        var received = Received(_eightBit);
        DkimSigningTests.Tags(received.Headers[HeaderId.DkimSignature]!)["d"].Should().Be("brand.test");
        (await _published.VerifyAllAsync(received)).Should().Equal(true);
    }

    [Fact]
    public async Task DkimSign_false_sends_unsigned_even_with_a_key()
    {
        _options.DkimSign = false;
        await CreateKeyAsync(DkimAlgorithms.RsaSha256);
        await EnqueueAsync(Message(), "bob@remote.test");

        await RunAsync();

        Received(_eightBit).Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();
    }

    [Fact]
    public async Task A_corrupt_key_is_warned_about_and_the_mail_still_goes_unsigned()
    {
        var key = DkimKeys.Create("local.test", "s1", DkimAlgorithms.RsaSha256, _time.GetUtcNow());
        await _keys.SaveAsync(key with { PrivateKeyPem = key.PrivateKeyPem[..200] + "\n-----END PRIVATE KEY-----\n" }, CancellationToken.None);
        await EnqueueAsync(Message(), "bob@remote.test");

        await RunAsync();

        Received(_eightBit).Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3203 && e.Level == LogLevel.Warning);
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_failing_key_store_defers_the_message_instead_of_sending_it_unsigned()
    {
        _keys = new FailingKeyStore();
        var id = await EnqueueAsync(Message(), "bob@remote.test");

        await RunAsync();

        _eightBit.Transactions.Should().BeEmpty();
        var recipient = (await _queue.GetAsync(id, CancellationToken.None))!.Recipients.Single();
        recipient.State.Should().Be(QueueRecipientState.Pending);
        recipient.LastReply.Should().StartWith("451 4.3.0");
    }

    [Fact]
    public async Task The_service_registrations_sign_with_the_key_store_of_the_SQLite_queue()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MailHost:Outbound:Routes:remote.test"] = "127.0.0.1:" + _eightBit.Port })
            .Build();
        using var other = new TempDirectory();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<IDnsResolver>(_dns)
            .AddSingleton<IAccountDirectory>(_local)
            .AddSingleton<IMailStore>(_local)
            .AddSqliteOutboundQueue(other.FullPath)
            .AddMailHostOutboundDelivery(configuration);
        await using var provider = services.BuildServiceProvider();
        var key = DkimKeys.Create("local.test", "s1", DkimAlgorithms.Ed25519Sha256, _time.GetUtcNow());
        (await provider.GetRequiredService<IDkimKeyStore>().SaveAsync(key, CancellationToken.None)).IsSuccess.Should().BeTrue();
        _published.Publish(key);
        var envelope = new OutboundEnvelope("alice@local.test", [new OutboundRecipient("bob@remote.test")], "alice");
        await provider.GetRequiredService<IOutboundQueueStore>().EnqueueAsync(envelope, new MemoryStream(Encoding.UTF8.GetBytes(Message())), _time.GetUtcNow().AddDays(1), CancellationToken.None);

        (await provider.GetRequiredService<OutboundDeliveryProcessor>().RunDueAsync(CancellationToken.None).WaitAsync(Timeout)).Should().Be(1);

        var received = Received(_eightBit);
        DkimSigningTests.Tags(received.Headers[HeaderId.DkimSignature]!)["s"].Should().Be("s1");
        (await _published.VerifyAllAsync(received)).Should().Equal(true);
    }

    private sealed class FailingKeyStore : IDkimKeyStore
    {
        public ValueTask<DkimKey?> GetAsync(string domain, CancellationToken cancellationToken) => throw new BrokenDatabaseException();

        public ValueTask<StoreResult<bool>> SaveAsync(DkimKey key, CancellationToken cancellationToken) => throw new BrokenDatabaseException();
    }

    private sealed class BrokenDatabaseException : DbException
    {
        public BrokenDatabaseException()
            : base("database is locked")
        {
        }
    }
}
