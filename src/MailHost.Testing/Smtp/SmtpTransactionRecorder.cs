using System.Text;
using MailHost.Hosting;
using MimeKit;

namespace MailHost.Testing.Smtp;

/// <summary>
/// Follows one SMTP session's mail transactions (RFC 5321 §3.3) from the commands and the server's replies, and
/// records each message the server accepted with its envelope.
/// </summary>
internal sealed class SmtpTransactionRecorder(MailProtocol protocol, ReceivedMessageLog log, TimeProvider timeProvider) : IDisposable
{
    private readonly List<string> _recipients = [];
    private readonly MemoryStream _content = new();
    private bool _inTransaction;
    private string? _sender;

    /// <summary>Notes the server's reply to a command line; <paramref name="verb"/> is upper case.</summary>
    public void OnCommandReply(string verb, string line, int replyCode)
    {
        var accepted = replyCode is >= 200 and < 300;
        switch (verb)
        {
            case "MAIL" when accepted:
                Reset();
                _inTransaction = true;
                _sender = PathOf(line);
                break;
            case "RCPT" when accepted && _inTransaction:
                if (PathOf(line) is { } recipient)
                {
                    _recipients.Add(recipient);
                }

                break;

            // RFC 5321 §4.1.1.5 (RSET) and §4.1.4 (EHLO/HELO) end any transaction; so does STARTTLS (RFC 3207 §4.2).
            case "RSET" or "EHLO" or "HELO" or "STARTTLS":
                Reset();
                break;
        }
    }

    /// <summary>Adds message bytes as the server receives them (DATA unstuffed, or a BDAT chunk).</summary>
    public void OnContent(ReadOnlySpan<byte> bytes)
    {
        if (_inTransaction)
        {
            _content.Write(bytes);
        }
    }

    /// <summary>Notes the reply to the end of the message data: a 2xx reply means the server took the message.</summary>
    public void OnMessageEnd(int replyCode)
    {
        if (_inTransaction && replyCode is >= 200 and < 300)
        {
            _content.Position = 0;
            var message = MimeMessage.Load(_content);
            log.Add(new ReceivedMessage(protocol, _sender, [.. _recipients], message, timeProvider.GetUtcNow()));
        }

        // Either way the transaction is over (RFC 5321 §4.1.1.4).
        Reset();
    }

    /// <summary>Forgets the transaction in progress.</summary>
    public void Reset()
    {
        _inTransaction = false;
        _sender = null;
        _recipients.Clear();
        _content.SetLength(0);
    }

    public void Dispose() => _content.Dispose();

    /// <summary>
    /// The address inside the angle brackets of <c>MAIL FROM:&lt;...&gt;</c> or <c>RCPT TO:&lt;...&gt;</c>, without
    /// an RFC 5321 §4.1.2 source route; <see langword="null"/> for <c>&lt;&gt;</c>.
    /// </summary>
    private static string? PathOf(string line)
    {
        var open = line.IndexOf('<', StringComparison.Ordinal);
        var close = open < 0 ? -1 : line.IndexOf('>', open + 1);
        if (close < 0)
        {
            return null;
        }

        var path = line[(open + 1)..close];
        var colon = path.StartsWith('@') ? path.IndexOf(':', StringComparison.Ordinal) : -1;
        path = colon >= 0 ? path[(colon + 1)..] : path;
        return path.Length == 0 ? null : path;
    }

    /// <summary>The command line as text (SMTPUTF8 allows UTF-8 addresses: RFC 6531 §3.3).</summary>
    public static string Decode(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
}
