using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Signing;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailHost.Tests.Delivery;

/// <summary>The signer signs only for a domain the message's writer may use (the submitter's, or the server's own).</summary>
public sealed partial class DkimDeliveryTests
{
    [Fact]
    public async Task A_From_domain_the_submitter_may_not_use_goes_out_unsigned_and_is_warned_about()
    {
        // alice@local.test writes as the CEO of brand.test, which has a key here: the key must not be used for her.
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "brand.test");
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "local.test");
        await EnqueueAsync(Message(from: "CEO <ceo@brand.test>"), "bob@remote.test");

        await RunAsync();

        Received(_eightBit).Headers.Contains(HeaderId.DkimSignature).Should().BeFalse("neither brand.test's key nor, misaligned, alice's own");
        var warning = _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3206).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("brand.test").And.Contain("alice");
        (await _queue.ListAsync(CancellationToken.None)).Should().BeEmpty("the message is still delivered");
    }

    [Fact]
    public async Task With_several_authors_the_first_decides_and_must_be_the_submitters()
    {
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "brand.test");
        await CreateKeyAsync(DkimAlgorithms.RsaSha256, domain: "local.test");
        await EnqueueAsync(Message(from: "ceo@brand.test, alice@local.test"), "bob@remote.test");

        await RunAsync();

        Received(_eightBit).Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();
    }

    [Fact]
    public async Task Rights_are_looked_up_when_the_message_is_sent_so_a_removed_account_no_longer_signs()
    {
        await CreateKeyAsync(DkimAlgorithms.RsaSha256);
        await EnqueueAsync(Message(), "bob@remote.test");
        _local.Accounts.Remove("alice@local.test");

        await RunAsync();

        Received(_eightBit).Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3206);
    }

    [Fact]
    public async Task A_notification_the_server_writes_is_signed_as_its_own_domain_but_a_submitted_look_alike_is_not()
    {
        await CreateKeyAsync(DkimAlgorithms.Ed25519Sha256, domain: "mail.local.test");
        _sevenBit.RcptReply = _ => "550 5.1.1 No such user";

        // An external envelope sender (the MAIL FROM check was off): the failure notice goes back through the queue.
        var envelope = new OutboundEnvelope("alice@remote.test", [new OutboundRecipient("nobody@seven.test")], "alice");
        (await _queue.EnqueueAsync(envelope, new MemoryStream(Encoding.UTF8.GetBytes(Message())), _time.GetUtcNow().AddDays(5), CancellationToken.None)).IsSuccess.Should().BeTrue();

        // One round: the refusal, then the notice it queues, due at once.
        (await RunAsync()).Should().Be(2);

        _eightBit.Transactions.Should().ContainSingle().Which.MailFrom.Should().StartWith("MAIL FROM:<>");
        var received = Received(_eightBit);
        received.From.Mailboxes.Single().Address.Should().Be("MAILER-DAEMON@mail.local.test");
        DkimSigningTests.Tags(received.Headers[HeaderId.DkimSignature]!)["d"].Should().Be("mail.local.test");
        (await _published.VerifyAllAsync(received)).Should().Equal(true);

        // The same From written by alice herself is a forgery of the server's notices: not signed.
        await EnqueueAsync(Message(from: "Mail Delivery System <MAILER-DAEMON@mail.local.test>").Replace("To: bob@remote.test", "To: carol@seven.test", StringComparison.Ordinal), "carol@seven.test");
        _sevenBit.RcptReply = _ => "250 2.1.5 OK";
        await RunAsync();
        var forged = _sevenBit.Transactions.Should().ContainSingle().Subject;
        forged.Data.Should().NotContain("DKIM-Signature");
    }
}
