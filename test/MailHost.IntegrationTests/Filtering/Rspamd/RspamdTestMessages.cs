using System.Text;

namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>Messages for rspamd tests, with CRLF line ends as they arrive over SMTP.</summary>
public static class RspamdTestMessages
{
    /// <summary>
    /// The GTUBE test string (Generic Test for Unsolicited Bulk Email, SpamAssassin's): rspamd matches it as the
    /// <c>GTUBE</c> symbol and answers <c>reject</c> with the SMTP message "Gtube pattern".
    /// </summary>
    public const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static readonly string[] SpamWords =
    [
        "cheap", "replica", "watches", "discount", "pharmacy", "pills", "offer", "limited", "winner", "prize", "casino",
        "bonus", "free", "credit", "loan", "approved", "urgent", "investment", "bitcoin", "profit", "guaranteed",
        "click", "unsubscribe", "exclusive", "deal", "lottery", "million", "dollars", "claim", "today", "act", "now",
    ];

    private static readonly string[] HamWords =
    [
        "meeting", "agenda", "quarterly", "report", "project", "schedule", "review", "budget", "team", "minutes",
        "draft", "proposal", "deadline", "customer", "feedback", "release", "planning", "notes", "thursday",
        "conference", "room", "invoice", "contract", "summary", "design", "document", "attached", "section",
        "weekly", "update", "colleagues", "lunch",
    ];

    /// <summary>A message with <see cref="Gtube"/> in its body.</summary>
    public static byte[] GtubeMessage(string to = "b@example.org")
        => Message("Spammer <spam@example.net>", to, "Test spam", "gtube@example.net", $"This is the GTUBE test.\r\n\r\n{Gtube}\r\n");

    /// <summary>An ordinary short message from <c>alice@example.net</c> to <paramref name="to"/>.</summary>
    public static byte[] Clean(string to = "b@example.org, c@example.org", string subject = "Lunch on Thursday?")
        => Message("Alice Example <alice@example.net>", to, subject, "clean-" + Guid.NewGuid().ToString("N") + "@example.net",
            "Hi both,\r\n\r\nshall we have lunch on Thursday after the planning meeting? The usual place at noon.\r\n\r\nAlice\r\n");

    /// <summary>A message of two words: fewer tokens than rspamd's Bayes classifier learns from (<c>min_tokens</c>, 11).</summary>
    public static byte[] TooShortToLearn()
        => Message("Bob Colleague <bob@example.net>", "alice@example.org", "Ok", "short-" + Guid.NewGuid().ToString("N") + "@example.net", "Thanks, Bob\r\n");

    /// <summary>
    /// A message of about 400 words, different for every <paramref name="seed"/>: enough tokens for rspamd's Bayes
    /// classifier (it skips messages with fewer than <c>min_tokens</c>).
    /// </summary>
    public static byte[] Learnable(bool spam, int seed)
    {
        var words = spam ? SpamWords : HamWords;
        var random = new Random(seed);
        var body = new StringBuilder();
        for (var line = 0; line < 40; line++)
        {
            body.AppendJoin(' ', Enumerable.Range(0, 10).Select(_ => words[random.Next(words.Length)])).Append("\r\n");
        }

        return spam
            ? Message("Deals <deals@example.net>", "victim@example.org", $"Exclusive offer {seed}", $"spam-{seed}@example.net", body.ToString())
            : Message("Bob Colleague <bob@example.net>", "alice@example.org", $"Project notes {seed}", $"ham-{seed}@example.net", body.ToString());
    }

    private static byte[] Message(string from, string to, string subject, string messageId, string body)
        => Encoding.UTF8.GetBytes(
            $"From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 07 Dec 2026 04:00:00 +0000\r\nMessage-ID: <{messageId}>\r\n" +
            $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}");
}
