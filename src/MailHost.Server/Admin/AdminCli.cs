using System.Globalization;
using MailHost.Accounts;
using MailHost.Accounts.Sql;
using MailHost.Dns;
using MailHost.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailHost.Server.Admin;

/// <summary>
/// The admin command line of the host: <c>mailhost users|domains|aliases|apikeys|audit ...</c> manages the account
/// directory in <c>&lt;MailHost:DataDirectory&gt;/directory.db</c>, <c>mailhost queue ...</c> the outbound queue in
/// <c>queue.db</c> and <c>mailhost quarantine ...</c> the messages the inbound filters held, directly, whether or not
/// the server is running. Every change it makes is recorded in the
/// directory's audit log under the actor <c>cli:&lt;user name&gt;</c>.
/// </summary>
/// <remarks>
/// Exit codes: <see cref="ExitSuccess"/>, <see cref="ExitUsage"/> (the command line is wrong; usage goes to
/// standard error) and <see cref="ExitFailure"/> (the request was refused or the directory failed, for example a
/// duplicate account, an unknown domain or an invalid address). Password material is never printed.
/// Configuration overrides on the same command line must use the <c>--MailHost:Key=value</c> form; such words are
/// skipped by the admin parser.
/// </remarks>
public static partial class AdminCli
{
    /// <summary>The command succeeded.</summary>
    public const int ExitSuccess = 0;

    /// <summary>The command line is wrong.</summary>
    public const int ExitUsage = 1;

    /// <summary>The request was refused or the directory could not be used.</summary>
    public const int ExitFailure = 2;

    /// <summary>The database file inside the data directory.</summary>
    public const string DirectoryFileName = "directory.db";

    private const string DataDirectoryKey = "MailHost:DataDirectory";
    private const string PasswordIterationsKey = "MailHost:Auth:PasswordIterations";
    private const string ConfigurationPrefix = "--MailHost:";
    private const string AuditActorPrefix = "cli:";

    private static readonly string[] HelpWords = ["help", "--help", "-h"];

    /// <summary>
    /// Whether <paramref name="args"/> is an admin command: its first word is <c>users</c>, <c>domains</c>,
    /// <c>aliases</c>, <c>apikeys</c>, <c>audit</c>, <c>queue</c>, <c>quarantine</c> or <c>store</c>.
    /// </summary>
    public static bool IsAdminCommand(string[] args)
        => args is [var first, ..] && first is "users" or "domains" or "aliases" or "apikeys" or "audit" or "queue" or "quarantine" or "store";

    /// <summary>
    /// Runs one admin command and returns the process exit code. Never throws for bad input or a refused request;
    /// the messages go to <paramref name="stdout"/> (results) and <paramref name="stderr"/> (errors, warnings).
    /// </summary>
    /// <param name="args">The command words, e.g. <c>users add alice --address alice@example.com --password-stdin</c>.</param>
    /// <param name="configuration">Supplies <c>MailHost:DataDirectory</c> (default <c>data</c>, relative to the current
    /// directory) and <c>MailHost:Auth:PasswordIterations</c> (default <see cref="PasswordRecord.DefaultIterations"/>).</param>
    /// <param name="stdout">Receives results.</param>
    /// <param name="stderr">Receives errors, warnings and usage after a usage error.</param>
    /// <param name="stdin">Supplies the password for <c>--password-stdin</c> (one line).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<int> RunAsync(
        string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr, TextReader stdin, CancellationToken cancellationToken)
        => RunAsync(args, configuration, stdout, stderr, stdin, dnsResolver: null, cancellationToken);

    /// <summary>
    /// <see cref="RunAsync(string[], IConfiguration, TextWriter, TextWriter, TextReader, CancellationToken)"/> with the
    /// resolver <c>domains check</c> asks (tests give a fake zone); <see langword="null"/> means the system's name servers.
    /// </summary>
    internal static async Task<int> RunAsync(
        string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr, TextReader stdin, IDnsResolver? dnsResolver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(stdin);

        var words = WithoutConfigurationOverrides(args);
        var context = new Context(configuration, stdout, stderr, stdin, dnsResolver, cancellationToken);
        await using var contextScope = context.ConfigureAwait(false);
        try
        {
            return words switch
            {
                [] => await context.UsageAsync("missing command", Usage).ConfigureAwait(false),
                [var help, ..] when HelpWords.Contains(help) => await context.HelpAsync(Usage).ConfigureAwait(false),
                ["users", .. var rest] => await RunUsersAsync(rest, context).ConfigureAwait(false),
                ["domains", .. var rest] => await RunDomainsAsync(rest, context).ConfigureAwait(false),
                ["aliases", .. var rest] => await RunAliasesAsync(rest, context).ConfigureAwait(false),
                ["apikeys", .. var rest] => await RunApiKeysAsync(rest, context).ConfigureAwait(false),
                ["audit", .. var rest] => await RunAuditAsync(rest, context).ConfigureAwait(false),
                ["queue", .. var rest] => await RunQueueAsync(rest, context).ConfigureAwait(false),
                ["quarantine", .. var rest] => await RunQuarantineAsync(rest, context).ConfigureAwait(false),
                ["store", .. var rest] => await RunStoreAsync(rest, context).ConfigureAwait(false),
                [var other, ..] => await context.UsageAsync($"unknown command {AdminText.Printable(other)}", Usage).ConfigureAwait(false),
            };
        }
        catch (MailHostConfigurationException exception)
        {
            await stderr.WriteLineAsync("error: " + exception.Message).ConfigureAwait(false);
            return ExitUsage;
        }
        catch (Exception exception) when (exception is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The directory itself failed (locked, read-only, unreachable, corrupt, newer schema): a failure, not a crash.
            await stderr.WriteLineAsync($"error: the account directory in {context.Stores.Description} failed: {exception.Message}").ConfigureAwait(false);
            return ExitFailure;
        }
    }

    /// <summary>Drops <c>--MailHost:Key=value</c> and <c>--MailHost:Key value</c>, which belong to configuration.</summary>
    private static List<string> WithoutConfigurationOverrides(string[] args)
    {
        var words = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith(ConfigurationPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (!args[i].Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            words.Add(args[i]);
        }

        return words;
    }

    private const string Usage = """
        Usage: mailhost <command> [arguments]

        Users (accounts):
          users add <account> --address <address> [--address <address> ...] --password-stdin
                                                     a new account starts with no mail, even under a name used before
          users list
          users show <account> [--logins <count>]     addresses, aliases, role, TOTP and recent logins (default 20)
          users passwd <account> --password-stdin
          users disable <account>
          users enable <account>
          users remove <account>                     deletes the account with its mail (mailboxes, messages,
                                                     quota), addresses, aliases, login history, role and TOTP key
          users quota <account> [--storage <octets>|unlimited] [--messages <count>|unlimited] [--default]
                                                     shows the account's quota (RFC 9208) and usage; with options,
                                                     sets its own limits, or --default returns it to the store's
                                                     defaults (MailHost:Storage)
          users admin <account> [--revoke]           grants the administrator role (signing in to the
                                                     administration console), or takes it away
          users totp <account> --enable | --disable  --enable makes a new TOTP key (RFC 6238) that console
                                                     sign-in then asks a code of, and prints it with an
                                                     otpauth:// URI for an authenticator app; --disable drops it
          users app-passwords add <account> --name <device> [--protocols imap,pop3,smtp]
                [--network <cidr>]... [--expires <90d|12w|36h|yyyy-mm-dd>]
                                                     a separate password for one device or program, limited to
                                                     those protocols (default all three), networks (default any)
                                                     and time; prints its id and its secret, once
          users app-passwords list <account>         id, name, protocols, networks, expiry, creation, last use
          users app-passwords revoke <account> <id>  the app password is refused from then on
          users app-passwords require <account> [--off]
                                                     refuses the account's own password for IMAP, POP3 and SMTP
                                                     (SCRAM-SHA-256 included): only app passwords log in there;
                                                     the console still takes it; --off accepts it again
          users policy <account> [--network <address>] [--app-password <name|id>]
                                                     the client policy its mail logins get from that address
                                                     with that app password (MailHost:Auth:ClientPolicies),
                                                     and the rules that made it; changes nothing

        Domains (an address's domain must be a local domain):
          domains add <domain>
          domains list
          domains remove <domain>                    refused while addresses or aliases use it
          domains dkim <domain> [--selector <s>] [--algorithm rsa|ed25519] [--rotate | --show]
                                                     prints the DNS record of the domain's DKIM key, creating
                                                     the key if there is none (rsa 2048 by default, selector
                                                     mh<yyyymmdd>); --rotate replaces it with a new key and
                                                     selector; --show never creates one
          domains check <domain>                     checks the domain's DNS against this host (MX, A/AAAA, PTR,
                                                     SPF, DKIM, DMARC, MTA-STS, TLS-RPT, client SRV and
                                                     autoconfig records) and its certificate; prints OK, WARN or
                                                     FAIL per check with the exact record to publish; exit 2 when
                                                     any check fails

        Aliases (an extra address delivering to an account):
          aliases add <address> <account>
          aliases list
          aliases remove <address>

        API keys (for the HTTP administration API; only a SHA-256 hash of a key's secret is stored):
          apikeys add <name> [--read-only]           prints the new key's token, once: it cannot be shown again
          apikeys list                               every key, revoked ones included, newest first
          apikeys revoke <id>                        the key is refused from then on

        Audit log (every change made here, in the console or through the API):
          audit [--count <n>]                        the newest entries first (default 50)

        Outbound queue (<MailHost:DataDirectory>/queue.db; safe while the server runs):
          queue list                                 one line per queued message
          queue show <id>                            envelope, and each recipient's state, attempts and last reply
          queue retry <id|all>                       make pending recipients due now
          queue remove <id>                          drop a message without notifying its sender

        Quarantine (messages the inbound filters held in MailHost:Filtering:QuarantineAccount; safe while the
        server runs):
          quarantine list [--limit <n>]              the newest held messages first (default 100, at most 1000):
                                                     UID, time, size, sender, recipients, subject, reason
          quarantine release <uid>                   delivers the message to the INBOX of each local account among
                                                     its original recipients, without the X-MailHost- fields, and
                                                     removes it from the quarantine; other recipients are listed
                                                     as warnings and get nothing
          quarantine delete <uid>                    removes the message without delivering it

        Store (run these with every host of the site stopped):
          store migrate                              applies the PostgreSQL migrations of every component
                                                     (directory, mail, queue, dkim) and prints their versions;
                                                     SQLite files migrate by themselves when opened
          store copy --to postgres                   copies the SQLite site of <MailHost:DataDirectory> (accounts,
                                                     mail with its UIDs, flags and MODSEQs, queue, DKIM keys) into
                                                     the empty database of ConnectionStrings:MailHost in one
                                                     transaction, verifies counts and SHA-256 of every content,
                                                     and commits only when all match. Run again, it brings its
                                                     earlier copy up to date (content already there is kept); it
                                                     refuses a database other sessions use, one holding another
                                                     site, or one a PostgreSQL host has changed since the copy

        --password-stdin reads the password as one line from standard input. --password <password> works too, but
        puts the password in the process list and the shell history, where other local users can see it.
        The directory is <MailHost:DataDirectory>/directory.db (default: data/directory.db); configuration comes
        from appsettings.json, MailHost__* environment variables or --MailHost:Key=value arguments.

        Exit codes: 0 success, 1 usage error, 2 refused or failed (duplicate, unknown domain, invalid address,
        unknown queue id or quarantine UID, a FAIL line of domains check, a change the audit log could not
        record, ...).
        """;

    /// <summary>What every command needs: configuration, the three streams, and the stores once opened.</summary>
    private sealed class Context(IConfiguration configuration, TextWriter stdout, TextWriter stderr, TextReader stdin, IDnsResolver? dnsResolver, CancellationToken cancellationToken)
        : IAsyncDisposable
    {
        private AdminStores? _stores;

        public IConfiguration Configuration => configuration;

        /// <summary>The resolver of <c>domains check</c>: the given one, or the system's name servers, as the server asks them.</summary>
        public IDnsResolver DnsResolver => dnsResolver ??= new DnsClientResolver();

        public string DataDirectory { get; } = Path.GetFullPath(configuration[DataDirectoryKey] is { Length: > 0 } dataDirectory ? dataDirectory : "data");

        /// <summary>The stores of the server's configuration (read when first needed; a wrong store setting stops the command).</summary>
        public AdminStores Stores => _stores ??= new AdminStores(Settings, DataDirectory, cancellationToken);

        /// <summary>The configured store (a wrong setting stops the command).</summary>
        public StoreSettings Settings => StoreSettings.Read(configuration);

        /// <summary>The PostgreSQL database <c>store copy</c> writes to, whichever store the site runs on now.</summary>
        /// <exception cref="MailHostConfigurationException">The connection string is missing or wrong.</exception>
        public string TargetConnectionString() =>
            StoreSettings.Read(new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection([new(StoreSettings.ProviderKey, nameof(StoreProvider.Postgres))]).Build()).ConnectionString!;

        public TextWriter Out => stdout;

        public TextReader In => stdin;

        public CancellationToken CancellationToken => cancellationToken;

        public Task<SqlAccountDirectory> OpenDirectoryAsync() => Stores.OpenDirectoryAsync(withMail: false);

        /// <summary>
        /// The directory together with the mail store, for the commands that change whose mail is whose (adding and
        /// removing accounts). The store is opened as a guest beside a server that may be running.
        /// </summary>
        public Task<SqlAccountDirectory> OpenDirectoryWithMailAsync() => Stores.OpenDirectoryAsync(withMail: true);

        public ValueTask DisposeAsync() => _stores?.DisposeAsync() ?? ValueTask.CompletedTask;

        /// <summary>The configured PBKDF2 iteration count, or <see langword="null"/> (after an error message) when it is unusable.</summary>
        public async Task<int?> GetPasswordIterationsAsync()
        {
            var text = configuration[PasswordIterationsKey];
            if (string.IsNullOrEmpty(text))
            {
                return PasswordRecord.DefaultIterations;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) && iterations >= PasswordRecord.MinimumIterations)
            {
                return iterations;
            }

            await FailAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"configuration {PasswordIterationsKey} must be a whole number of at least {PasswordRecord.MinimumIterations} (RFC 7677), not {AdminText.Printable(text)}.")).ConfigureAwait(false);
            return null;
        }

        public async Task<int> ReportAsync(AccountAdministrationResult result)
        {
            if (result.Succeeded)
            {
                await stdout.WriteLineAsync(result.Message).ConfigureAwait(false);
                return ExitSuccess;
            }

            return await FailAsync(result.Message).ConfigureAwait(false);
        }

        public async Task<int> FailAsync(string message)
        {
            await stderr.WriteLineAsync("error: " + message).ConfigureAwait(false);
            return ExitFailure;
        }

        public Task WarnAsync(string message) => stderr.WriteLineAsync("warning: " + message);

        /// <summary>Who the audit log names for the changes of this command line.</summary>
        public string Actor { get; } = AuditActorPrefix + Environment.UserName;

        /// <summary>
        /// Reports <paramref name="result"/> as <see cref="ReportAsync"/> does and, when it is a change, records it in the
        /// audit log of <paramref name="directory"/>.
        /// </summary>
        public async Task<int> ReportChangeAsync(
            SqlAccountDirectory directory, AccountAdministrationResult result, string action, string target, string? detail = null)
        {
            if (!result.Succeeded)
            {
                return await FailAsync(result.Message).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(result.Message).ConfigureAwait(false);
            return await AuditAsync(directory, action, target, detail).ConfigureAwait(false);
        }

        /// <summary>
        /// Records a change that was made in the audit log (of <paramref name="directory"/>, or of the configured
        /// directory when <see langword="null"/>). A failure here comes after the change: it is reported as what it is,
        /// with <see cref="ExitFailure"/>, rather than as a failed change.
        /// </summary>
        public async Task<int> AuditAsync(SqlAccountDirectory? directory, string action, string target, string? detail)
        {
            try
            {
                directory ??= await OpenDirectoryAsync().ConfigureAwait(false);
                var entry = new AuditEntry(TimeProvider.System.GetUtcNow(), Actor, RemoteAddress: null, action, target, detail);
                await directory.AppendAuditAsync(entry, cancellationToken).ConfigureAwait(false);
                return ExitSuccess;
            }
            catch (Exception exception) when (exception is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                return await FailAsync($"the change was made, but the audit log in {Stores.Description} could not record it: {exception.Message}").ConfigureAwait(false);
            }
        }

        public async Task<int> UsageAsync(string problem, string usage)
        {
            await stderr.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            await stderr.WriteLineAsync().ConfigureAwait(false);
            await stderr.WriteLineAsync(usage).ConfigureAwait(false);
            return ExitUsage;
        }

        public async Task<int> HelpAsync(string usage)
        {
            await stdout.WriteLineAsync(usage).ConfigureAwait(false);
            return ExitSuccess;
        }
    }
}
