using System.Text;
using MailHost.Storage;

namespace MailHost.IntegrationTests.Admin;

/// <summary>
/// A message as the SMTP MX endpoint stores it in the quarantine (Return-Path, this server's Received, a filter's
/// field, the four X-MailHost- fields, then the client's content), put there directly through the store; and what a
/// release must deliver: the same bytes without the four fields.
/// </summary>
public sealed class QuarantinedMessage
{
    public const string Account = "quarantine";
    public const string Mailbox = "Quarantine";

    private readonly string _top;
    private readonly string _serverFields;
    private readonly string _content;

    /// <param name="recipients">The X-MailHost-Original-Recipients value.</param>
    /// <param name="sender">The X-MailHost-Original-Sender value.</param>
    /// <param name="transaction">The X-MailHost-Transaction value.</param>
    /// <param name="bodyLines">Extra body lines, to make a message the SQLite store keeps in a file rather than inline.</param>
    public QuarantinedMessage(string recipients, string sender = "sender@remote.example", string transaction = "0123456789abcdef", int bodyLines = 0)
    {
        Recipients = recipients;
        Sender = sender;
        Transaction = transaction;
        _top =
            $"Return-Path: <{(sender == "<>" ? string.Empty : sender)}>\r\n" +
            $"Received: from mx.remote.example ([192.0.2.7]) by mail.example.com with ESMTPS id {transaction}\r\n\tfor <alice@example.com>; Mon, 2 Mar 2026 10:00:00 +0000\r\n" +
            "X-Spam-Score: 7.1\r\n";
        _serverFields =
            $"X-MailHost-Quarantine: {Reason}\r\n" +
            $"X-MailHost-Original-Recipients: {recipients}\r\n" +
            $"X-MailHost-Original-Sender: {sender}\r\n" +
            $"X-MailHost-Transaction: {transaction}\r\n";
        var body = new StringBuilder("Hello, this is the held message.\r\n");
        for (var i = 0; i < bodyLines; i++)
        {
            body.Append("line ").Append(i).Append(" of a long body that the store keeps in a content file\r\n");
        }

        // The sender's own X-MailHost- fields: part of the content, neither believed nor removed.
        _content =
            "From: Sender <sender@remote.example>\r\n" +
            "To: alice@example.com\r\n" +
            "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgQmVybGlu?=\r\n" +
            "Message-ID: <held@remote.example>\r\n" +
            "X-MailHost-Original-Recipients: root@example.com\r\n" +
            "X-MailHost-Transaction: forged\r\n" +
            "\r\n" +
            body;
    }

    /// <summary>The decoded Subject.</summary>
    public static string Subject => "Grüße aus Berlin";

    /// <summary>The X-MailHost-Quarantine value.</summary>
    public static string Reason => "rspamd: action=add header score=7.1/15 symbols=BAYES_SPAM";

    public string Recipients { get; }

    public string Sender { get; }

    public string Transaction { get; }

    /// <summary>The bytes in the quarantine.</summary>
    public byte[] Held => Encoding.UTF8.GetBytes(_top + _serverFields + _content);

    /// <summary>The bytes a release delivers.</summary>
    public byte[] Released => Encoding.UTF8.GetBytes(_top + _content);

    /// <summary>Puts the message into the quarantine mailbox (created when missing, as SMTP does); returns its UID.</summary>
    public async Task<uint> PutAsync(IMailStore store, DateTimeOffset received, CancellationToken cancellationToken, string account = Account)
    {
        var opened = await store.OpenAccountAsync(account, cancellationToken);
        opened.IsSuccess.Should().BeTrue();
        await using (opened.Value)
        {
            if (!(await opened.Value.CheckMailboxAsync(Mailbox, cancellationToken)).IsSuccess)
            {
                (await opened.Value.CreateMailboxAsync(Mailbox, MailboxAttributes.None, cancellationToken)).IsSuccess.Should().BeTrue();
            }
        }

        using var content = new MemoryStream(Held);
        var delivered = await store.DeliverAsync(content, [new DeliveryTarget(account, Mailbox, new AppendOptions(InternalDate: received))], cancellationToken);
        delivered.IsSuccess.Should().BeTrue();
        return delivered.Value.Targets.Single().Result!.Uid;
    }

    /// <summary>Every message of a mailbox, byte for byte, by UID; empty when the mailbox does not exist.</summary>
    public static async Task<IReadOnlyList<byte[]>> ReadMailboxAsync(IMailStore store, string account, string mailbox, CancellationToken cancellationToken)
    {
        var opened = await store.OpenAccountAsync(account, cancellationToken);
        opened.IsSuccess.Should().BeTrue();
        await using var mailAccount = opened.Value;
        var view = await mailAccount.OpenMailboxAsync(mailbox, examine: true, cancellationToken);
        if (!view.IsSuccess)
        {
            return [];
        }

        await using var selected = view.Value;
        var messages = new List<byte[]>();
        await foreach (var message in selected.FetchAsync(UidSet.All, FetchOptions.Default, cancellationToken))
        {
            await using var content = (await message.Content.OpenAsync(cancellationToken))!;
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            messages.Add(copy.ToArray());
        }

        return messages;
    }
}
