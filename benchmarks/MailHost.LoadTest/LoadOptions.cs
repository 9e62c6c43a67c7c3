using System.Globalization;
using System.Net;

namespace MailHost.LoadTest;

/// <summary>Command-line settings of one load run.</summary>
internal sealed class LoadOptions
{
    public required string Mode { get; init; }

    public IPAddress Host { get; init; } = IPAddress.Loopback;

    public int Port { get; init; }

    public int Clients { get; init; } = 10;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this many operations in total (whichever comes first with the duration).</summary>
    public long MaxOperations { get; init; } = 1_000_000;

    public string Tls { get; init; } = "none";

    public string UserPattern { get; init; } = "user{0}";

    public int Users { get; init; } = 1;

    public string Password { get; init; } = "password";

    public int MessageSize { get; init; } = 4096;

    public int MessagesPerSession { get; init; } = 20;

    /// <summary>smtp: stop after this many messages in total (0 = no limit); spread evenly over the recipients.</summary>
    public int MessageCount { get; init; }

    /// <summary>smtp: at most this many messages per second over all clients, evenly spaced (0 = as fast as they go).</summary>
    public double Rate { get; init; }

    public int Recipients { get; init; } = 1;

    public string RecipientPattern { get; init; } = "user{0}@example.com";

    public string Sender { get; init; } = "load@example.com";

    /// <summary>IMAP: commands between logins (0 = stay logged in).</summary>
    public int LoginEvery { get; init; }

    /// <summary>idle: most clients between connecting and IDLE at once (0 = all at once).</summary>
    public int LoginConcurrency { get; init; } = 50;

    public int? ServerPid { get; init; }

    public string? JsonPath { get; init; }

    /// <summary>big: the POP3 port on which the large message is retrieved (0 = skip POP3).</summary>
    public int Pop3Port { get; init; }

    /// <summary>big: size of the message sent through the same steps first, unmeasured (0 = no warm-up).</summary>
    public long WarmupSize { get; init; } = 1024 * 1024;

    /// <summary>search: messages in the searched INBOX, filled by the tool when it is empty.</summary>
    public int MailboxMessages { get; init; } = 5000;

    /// <summary>search: measured runs of each SEARCH kind (0 = fill the mailbox only).</summary>
    public int Repeat { get; init; } = 10;

    public string User(int index) => string.Format(CultureInfo.InvariantCulture, UserPattern, index % Users);

    public static string Usage => """
        mailhost-load MODE --port N [options]
          MODE            imap | imap-write | search | smtp | pop3 | idle | big
          --host ADDR     server address; loopback only (default 127.0.0.1)
          --port N        server port (required)
          --clients N     concurrent clients (10; search: always 1)
          --seconds S     run time (10; search: 3600, a bound on the fill and the searches)
          --max-ops N     stop after N operations in total (1000000)
          --tls MODE      none | starttls | implicit (none)
          --user PATTERN  login name pattern, {0} is the user index (user{0})
          --users N       size of the user pool (1)
          --password PW   password of every user (password)
          --size BYTES    message size for smtp/imap APPEND (4096)
          --messages N    smtp: messages per session (20)
          --count N       smtp: stop after N messages in total, round robin over the recipients (0: no limit)
          --rate N        smtp: at most N messages per second over all clients, evenly spaced (0: no limit)
          --rcpts N       smtp: recipients per message (1)
          --rcpt PATTERN  smtp: recipient pattern, {0} is the recipient index (user{0}@example.com)
          --from ADDR     smtp: envelope sender (load@example.com)
          --login-every N imap: log in again after N commands (0: stay logged in)
          --mailbox-messages N  search: messages in the INBOX of user 0, appended when it is empty (5000;
                          a multiple of 1000: copies of one deterministic mix)
          --repeat N      search: measured runs of each SEARCH kind after one uncounted round (10; 0: fill only)
          --logins N      idle: most clients logging in at the same time (50; 0: all at once)
          --pid PID       idle, big: the server process, for its resident memory
          --pop3-port N   big: POP3 port on which the message is retrieved after the IMAP part (0: skip)
          --warmup BYTES  big: the same steps with a message of this size first, not measured (1048576; 0: none)
          --json PATH     also write the results as JSON
        """;

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException("missing MODE");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --option value at '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        string? Get(string key) => values.Remove(key, out var v) ? v : null;
        int Int(string key, int fallback) => Get(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var host = IPAddress.Parse(Get("host") ?? "127.0.0.1");
        if (!IPAddress.IsLoopback(host))
        {
            // Load is only ever sent to this machine.
            throw new ArgumentException("--host must be a loopback address (127.0.0.0/8 or ::1)");
        }

        // search measures latency on one connection, whatever --clients says.
        var clients = Int("clients", 10);
        if (args[0] == "search")
        {
            clients = 1;
        }

        var options = new LoadOptions
        {
            Mode = args[0],
            Host = host,
            Port = Int("port", 0),
            Clients = clients,
            Duration = TimeSpan.FromSeconds(Int("seconds", args[0] == "search" ? 3600 : 10)),
            MaxOperations = Get("max-ops") is { } ops ? long.Parse(ops, CultureInfo.InvariantCulture) : 1_000_000,
            Tls = Get("tls") ?? "none",
            UserPattern = Get("user") ?? "user{0}",
            Users = Int("users", 1),
            Password = Get("password") ?? "password",
            MessageSize = Int("size", 4096),
            MessagesPerSession = Int("messages", 20),
            MessageCount = Int("count", 0),
            Rate = Get("rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : 0,
            Recipients = Int("rcpts", 1),
            RecipientPattern = Get("rcpt") ?? "user{0}@example.com",
            Sender = Get("from") ?? "load@example.com",
            LoginEvery = Int("login-every", 0),
            LoginConcurrency = Int("logins", 50),
            ServerPid = Get("pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            JsonPath = Get("json"),
            Pop3Port = Int("pop3-port", 0),
            MailboxMessages = Int("mailbox-messages", 5000),
            Repeat = Int("repeat", 10),
            WarmupSize = Get("warmup") is { } warmup ? long.Parse(warmup, CultureInfo.InvariantCulture) : 1024 * 1024,
        };
        if (values.Count > 0)
        {
            throw new ArgumentException("unknown option --" + values.Keys.First());
        }

        if (options.Port is <= 0 or > 65535)
        {
            throw new ArgumentException("--port is required (1-65535)");
        }

        if (options.MailboxMessages <= 0 || options.MailboxMessages % SearchCorpus.MixSize != 0 || options.Repeat < 0)
        {
            throw new ArgumentException("--mailbox-messages must be a positive multiple of 1000 and --repeat 0 or more");
        }

        if (options.Rate < 0)
        {
            throw new ArgumentException("--rate must be 0 (no limit) or a positive number of messages per second");
        }

        if (options.Tls is not ("none" or "starttls" or "implicit"))
        {
            throw new ArgumentException("--tls must be none, starttls or implicit");
        }

        return options;
    }
}
