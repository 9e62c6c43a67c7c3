using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Filtering.Rspamd;

/// <summary>
/// A real rspamd (Debian package <c>rspamd</c>) with a throwaway configuration in a temp directory: the normal worker on
/// <see cref="NormalUrl"/>, the controller on <see cref="ControllerUrl"/> (with <see cref="Password"/>), Bayes
/// statistics in SQLite files (no Redis), console logging into <see cref="Output"/>. Started per test, killed on dispose.
/// </summary>
/// <remarks>
/// Only what the tests need is loaded: the stock metrics, actions, groups and composites and the regexp module, but
/// none of the modules that ask DNS lists or fetch maps from the internet (their configuration is not included, so
/// rspamd disables them); its resolver points at a loopback port where nothing answers. A tiny public suffix list
/// replaces the stock one, whose compilation alone takes rspamd half a minute. Three test senders make rspamd's
/// settings module force an action for a clean message: <see cref="AddHeaderSender"/>, <see cref="RewriteSubjectSender"/>
/// and <see cref="GreylistSender"/>.
/// </remarks>
public sealed class RspamdServer : IAsyncDisposable
{
    /// <summary>Mail from this envelope sender gets rspamd's <c>add header</c> action (MailHost: Junk).</summary>
    public const string AddHeaderSender = "rspamd-add-header@example.com";

    /// <summary>Mail from this envelope sender gets <c>rewrite subject</c>, the subject becoming <c>[rspamd] original</c>.</summary>
    public const string RewriteSubjectSender = "rspamd-rewrite-subject@example.com";

    /// <summary>Mail from this envelope sender gets rspamd's <c>greylist</c> action (MailHost: 451).</summary>
    public const string GreylistSender = "rspamd-greylist@example.com";

    private const string ServiceUser = "_rspamd";
    private const int StartAttempts = 2;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(45);

    /// <summary>How long a test waits for <see cref="StartAsync"/>: past every attempt, so its error (with rspamd's output) is what a failure shows.</summary>
    public static readonly TimeSpan StartBound = (StartLimit * StartAttempts) + TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory = new();
    private readonly StringBuilder _output = new();
    private readonly int _normalPort = LoopbackPort.Free();
    private readonly int _controllerPort = LoopbackPort.Free();
    private Process? _process;

    private RspamdServer()
    {
    }

    /// <summary>Why rspamd tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_RSPAMD") == "1" || ExternalProcess.Exists("rspamd")
            ? null
            : "rspamd tests skipped: rspamd is not installed (on Debian: apt-get install rspamd; .ci/run installs it).";

    /// <summary>The normal worker's base URL, for <c>MailHost:Filtering:Rspamd:Url</c>.</summary>
    public string NormalUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_normalPort}");

    /// <summary>The controller's base URL, for <c>MailHost:Filtering:Rspamd:ControllerUrl</c>.</summary>
    public string ControllerUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_controllerPort}");

    /// <summary>The controller's password (plain in the configuration: rspamd 3.4 accepts it with a warning).</summary>
    public string Password { get; } = "mailhost-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Everything rspamd printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts rspamd and waits until both workers answer <c>/ping</c>; throws with rspamd's output if not in time.</summary>
    public static async Task<RspamdServer> StartAsync()
    {
        // A second try on fresh ports: once in a few dozen starts rspamd was seen never to answer (the cause not found),
        // and a test of MailHost should not fail for it.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RspamdServer();
            try
            {
                await server.StartProcessAsync();
                return server;
            }
            catch (TimeoutException) when (attempt < StartAttempts)
            {
                await server.DisposeAsync();
            }
            catch (Exception ex)
            {
                var output = server.Output;
                await server.DisposeAsync();
                throw new InvalidOperationException($"rspamd did not start: {ex.Message}\n{output}", ex);
            }
        }
    }

    /// <summary>Kills rspamd and its workers (a crash, as the filter sees it); later requests are refused.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(StopLimit);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone, or stuck: the test process ends it at the latest.
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>The controller's <c>/stat</c>: messages learned since the start, and each Bayes statfile's revision.</summary>
    public async Task<RspamdLearnCounters> ReadLearnCountersAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ControllerUrl + "/stat"));
        request.Headers.TryAddWithoutValidation("Password", Password);
        using var response = await http.SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"rspamd's /stat answered {(int)response.StatusCode}: {json}");
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        long Revision(string symbol) => root.GetProperty("statfiles").EnumerateArray()
            .Where(statfile => statfile.GetProperty("symbol").GetString() == symbol)
            .Select(statfile => statfile.GetProperty("revision").GetInt64())
            .Single();
        return new RspamdLearnCounters(root.GetProperty("learned").GetInt64(), Revision("BAYES_SPAM"), Revision("BAYES_HAM"));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
    }

    private async Task StartProcessAsync()
    {
        var root = _directory.Path;
        var db = Directory.CreateDirectory(Path.Combine(root, "db")).FullName;
        var run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        var config = Path.Combine(root, "rspamd.conf");
        File.WriteAllText(Path.Combine(root, "tld.dat"), "com\nnet\norg\ntest\nexample\nlocalhost\n");
        File.WriteAllText(config, Configuration(root, LoopbackPort.Free()));

        var start = new ProcessStartInfo("rspamd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        foreach (var (name, value) in new[] { ("DBDIR", db), ("RUNDIR", run), ("LOGDIR", run), ("LOCAL_CONFDIR", root) })
        {
            start.ArgumentList.Add("--var");
            start.ArgumentList.Add(name + "=" + value);
        }

        if (Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows())
        {
            await AddUnprivilegedUserAsync(start, [root, db, run]);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = new CancellationTokenSource(StartLimit);
        try
        {
            while (await NotReadyAsync(http, deadline.Token) is { } waitingFor)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"rspamd exited with {process.ExitCode} while waiting for {waitingFor}");
                }

                await Task.Delay(100, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"rspamd was not ready within {StartLimit.TotalSeconds} s");
        }
    }

    /// <summary>
    /// As root, rspamd refuses to run its workers without <c>-u</c>/<c>-g</c>: they run as Debian's <c>_rspamd</c>,
    /// which must write the database and run directories; without that user, as root with <c>--insecure</c>.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task AddUnprivilegedUserAsync(ProcessStartInfo start, string[] writable)
    {
        var user = await ExternalProcess.RunAsync("getent", ["passwd", ServiceUser], timeout: TimeSpan.FromSeconds(10));
        if (user.ExitCode != 0)
        {
            start.ArgumentList.Add("--insecure");
            return;
        }

        foreach (var directory in writable)
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        foreach (var argument in new[] { "-u", ServiceUser, "-g", ServiceUser })
        {
            start.ArgumentList.Add(argument);
        }
    }

    /// <summary>What rspamd is not yet ready for (its workers' <c>/ping</c>, its statistics), or null when it is ready.</summary>
    private async Task<string?> NotReadyAsync(HttpClient http, CancellationToken cancellationToken)
        => !await AnswersPingAsync(http, NormalUrl, cancellationToken) ? "the normal worker's /ping"
            : !await AnswersPingAsync(http, ControllerUrl, cancellationToken) ? "the controller's /ping"
            : !await HasStatisticsAsync(http, cancellationToken) ? "the statfiles in /stat"
            : null;

    /// <summary>Whether the controller's <c>/stat</c> lists both Bayes statfiles: its statistics backend is open.</summary>
    private async Task<bool> HasStatisticsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ControllerUrl + "/stat"));
            request.Headers.TryAddWithoutValidation("Password", Password);
            using var response = await http.SendAsync(request, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return response.IsSuccessStatusCode
                && document.RootElement.TryGetProperty("statfiles", out var statfiles)
                && statfiles.GetArrayLength() == 2;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private static async Task<bool> AnswersPingAsync(HttpClient http, string baseUrl, CancellationToken cancellationToken)
    {
        try
        {
            var pong = await http.GetStringAsync(new Uri(baseUrl + "/ping"), cancellationToken);
            return pong.Trim() == "pong";
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // This one request timed out (a worker still busy starting); the start deadline has not passed.
            return false;
        }
    }

    /// <summary>
    /// The whole configuration: the stock scoring files, this run's workers, SQLite statistics, the milter headers
    /// module (so replies carry a milter block, folded values included) and the settings that force actions.
    /// </summary>
    private string Configuration(string root, int deadDnsPort) => $$"""
        .include "$CONFDIR/metrics.conf"
        .include "$CONFDIR/actions.conf"
        .include "$CONFDIR/groups.conf"
        .include "$CONFDIR/composites.conf"
        lua = "$RULESDIR/rspamd.lua";
        modules { path = "${PLUGINSDIR}"; }

        options {
          pidfile = "$RUNDIR/rspamd.pid";
          filters = "regexp";
          dynamic_conf = "$DBDIR/rspamd_dynamic";
          history_file = "$DBDIR/rspamd.history";
          cache_file = "$DBDIR/symbols.cache";
          control_socket = "$DBDIR/rspamd.sock mode=0600";
          hs_cache_dir = "$DBDIR";
          # Compiling the stock rules for Hyperscan is most of a start, and on a busy machine (CI runs test classes in
          # parallel on two cores) it took more than 30 s; PCRE matches the same rules, and these tests judge
          # behaviour, not speed.
          disable_hyperscan = true;
          stats_file = "$DBDIR/stats.ucl";
          tempdir = "$DBDIR";
          url_tld = "{{root}}/tld.dat";
          dns { nameserver = ["127.0.0.1:{{deadDnsPort}}"]; timeout = 1s; retransmits = 1; }
        }

        logging { type = "console"; level = "info"; }

        worker "normal" {
          bind_socket = "127.0.0.1:{{_normalPort}}";
          count = 1;
        }

        worker "controller" {
          bind_socket = "127.0.0.1:{{_controllerPort}}";
          count = 1;
          password = "{{Password}}";
          enable_password = "{{Password}}";
        }

        classifier "bayes" {
          tokenizer { name = "osb"; }
          backend = "sqlite3";
          min_tokens = 11;
          min_learns = 1;
          # The learn cache (which messages were learned) defaults to rspamd's system directory.
          cache { type = "sqlite3"; path = "$DBDIR/learn_cache.sqlite"; }
          statfile { symbol = "BAYES_HAM"; spam = false; path = "$DBDIR/bayes.ham.sqlite"; }
          statfile { symbol = "BAYES_SPAM"; spam = true; path = "$DBDIR/bayes.spam.sqlite"; }
        }

        milter_headers {
          use = ["x-spamd-bar", "x-rspamd-queue-id", "x-spamd-result", "remove-spam-flag"];
          skip_local = false;
          skip_authenticated = false;
        }

        settings {
          mailhost_add_header {
            priority = high;
            from = "{{AddHeaderSender}}";
            apply { actions { reject = 100.0; "add header" = -100.0; } }
          }
          mailhost_rewrite_subject {
            priority = high;
            from = "{{RewriteSubjectSender}}";
            apply { actions { reject = 100.0; "rewrite subject" = -100.0; } subject = "[rspamd] %s"; }
          }
          mailhost_greylist {
            priority = high;
            from = "{{GreylistSender}}";
            apply { actions { reject = 100.0; greylist = -100.0; } }
          }
        }
        """;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
