using System.Globalization;
using System.Text;

namespace MailHost.LoadTest;

/// <summary>
/// The messages of the <c>search</c> mode's mailbox: copies of one mix of <see cref="MixSize"/> messages, each built
/// from its index alone (no clock, no shared random state), so that every server gets byte-identical messages, flags and
/// internal dates in the same order. A few words are planted in a known share of the messages so that each SEARCH
/// kind hits a few percent of the mailbox; the ordinary words never contain them.
/// </summary>
internal static class SearchCorpus
{
    /// <summary>Messages in one mix; a mailbox holds whole copies of it.</summary>
    public const int MixSize = 1000;

    /// <summary>Planted in about 3 % of the Subjects.</summary>
    public const string SubjectWord = "quarterly";

    /// <summary>Planted in about 3 % of the text bodies.</summary>
    public const string BodyWord = "zephyr";

    /// <summary>Planted in about 2 % of the Subjects and 2 % of the text bodies (TEXT searches both).</summary>
    public const string TextWord = "meridian";

    /// <summary>The FROM search: one of the mix's <see cref="Senders"/> senders (about 2.5 % of the messages).</summary>
    public const string FromAddress = "user7@example.com";

    /// <summary>Distinct senders, <c>user0@example.com</c> and up, each with its display name.</summary>
    public const int Senders = 40;

    /// <summary>The LARGER search's size.</summary>
    public const int LargerThan = 20_000;

    /// <summary>The first internal date; the mix spreads its messages over the 365 days that follow.</summary>
    private static readonly DateTimeOffset FirstDate = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Words =
    [
        "account", "agenda", "answer", "budget", "calendar", "contract", "customer", "deadline", "delivery", "design",
        "draft", "estimate", "feedback", "forecast", "holiday", "invoice", "launch", "meeting", "minutes", "notes",
        "office", "order", "payment", "planning", "policy", "project", "proposal", "quote", "release", "report",
        "request", "review", "schedule", "search", "server", "shipping", "status", "summary", "support", "team",
        "ticket", "training", "travel", "update", "vendor", "weekly", "workshop", "annual", "backup", "board",
        "change", "client", "draft", "event", "figures", "garden", "harbor", "island", "journal", "kitchen",
        "ladder", "market", "network", "orange", "pencil", "quiet", "river", "silver", "table", "umbrella",
        "valley", "window", "yellow", "bridge", "candle", "forest", "guitar", "hammer", "lemon", "mountain",
        "needle", "ocean", "pepper", "rocket", "saddle", "tomato", "violin", "wagon", "basket", "cotton",
    ];

    private static readonly string[] FirstNames = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Oscar"];

    private static readonly string[] LastNames = ["Archer", "Baker", "Carter", "Dawson", "Ellis", "Fisher", "Graham", "Hughes", "Irving", "Jensen"];

    /// <summary>The date from which SINCE finds the last tenth of the mix (by internal date).</summary>
    public static DateTimeOffset SinceDate => FirstDate.AddDays(329);

    /// <summary>The Message-ID of message <paramref name="index"/> (0-based, in APPEND order).</summary>
    public static string MessageId(int index) => string.Create(CultureInfo.InvariantCulture, $"<m{index % MixSize}.c{index / MixSize}@corpus.example>");

    /// <summary>Message <paramref name="index"/> (0-based, in APPEND order): flags, internal date and bytes.</summary>
    public static (string Flags, DateTimeOffset Date, byte[] Content) Message(int index)
    {
        var k = index % MixSize;
        var random = new Mix((ulong)k);
        var date = FirstDate.AddDays(k * 365 / MixSize).AddMinutes(random.Next(600));

        var flags = new List<string>();
        if (random.Chance(60))
        {
            flags.Add("\\Seen");
        }

        if (random.Chance(5))
        {
            flags.Add("\\Flagged");
        }

        if (random.Chance(3))
        {
            flags.Add("$Junk");
        }

        var sender = random.Next(Senders);
        var subject = new StringBuilder();
        AppendWords(subject, random, 3 + random.Next(5));
        if (random.Chance(3))
        {
            subject.Append(' ').Append(SubjectWord);
        }

        if (random.Chance(2))
        {
            subject.Append(' ').Append(TextWord);
        }

        // Sizes: most messages a few KiB at most, a third up to 20 KiB, about one in ten above 20 KiB.
        var bodyBytes = random.Next(100) switch
        {
            < 60 => 300 + random.Next(2700),
            < 90 => 3000 + random.Next(17_000),
            _ => 20_500 + random.Next(40_000),
        };
        var text = new StringBuilder();
        var plantBody = random.Chance(3);
        var plantText = random.Chance(2);
        var plantAt = random.Next(Math.Max(1, bodyBytes / 80));
        for (var line = 0; text.Length < bodyBytes; line++)
        {
            AppendWords(text, random, 6 + random.Next(6));
            if (line == plantAt && plantBody)
            {
                text.Append(' ').Append(BodyWord);
            }

            if (line == plantAt && plantText)
            {
                text.Append(' ').Append(TextWord);
            }

            text.Append(".\r\n");
        }

        var attachment = random.Chance(15) ? 2048 + random.Next(28_000) : 0;
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"From: \"{FirstNames[sender % FirstNames.Length]} {LastNames[sender % LastNames.Length]}\" <user{sender}@example.com>\r\n");
        message.Append("To: \"Search Test\" <search0@example.com>\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Subject: {char.ToUpperInvariant(subject[0])}{subject.ToString(1, subject.Length - 1)}\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Date: {date.ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture)} +0000\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Message-ID: {MessageId(index)}\r\n");
        message.Append("MIME-Version: 1.0\r\n");
        if (attachment == 0)
        {
            message.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n").Append(text);
        }
        else
        {
            var boundary = string.Create(CultureInfo.InvariantCulture, $"=_part_{k}");
            message.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n");
            message.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n").Append(text);
            message.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\nContent-Type: application/octet-stream; name=\"data{k}.bin\"\r\n");
            message.Append(CultureInfo.InvariantCulture, $"Content-Disposition: attachment; filename=\"data{k}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            var bytes = new byte[attachment];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.Next(256);
            }

            var encoded = Convert.ToBase64String(bytes);
            for (var i = 0; i < encoded.Length; i += 76)
            {
                message.Append(encoded.AsSpan(i, Math.Min(76, encoded.Length - i))).Append("\r\n");
            }

            message.Append(CultureInfo.InvariantCulture, $"--{boundary}--\r\n");
        }

        return (string.Join(' ', flags), date, Encoding.ASCII.GetBytes(message.ToString()));
    }

    private static void AppendWords(StringBuilder text, Mix random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0 || (text.Length > 0 && text[^1] != '\n'))
            {
                text.Append(' ');
            }

            text.Append(Words[random.Next(Words.Length)]);
        }
    }

    /// <summary>SplitMix64: a tiny generator whose sequence depends on its seed only (not on the runtime's Random).</summary>
    private sealed class Mix(ulong seed)
    {
        private ulong _state = seed * 0x9E3779B97F4A7C15UL;

        public int Next(int below)
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)below);
        }

        public bool Chance(int percent) => Next(100) < percent;
    }
}
