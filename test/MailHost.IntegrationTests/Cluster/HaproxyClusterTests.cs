using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.TestSupport;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MailHost.IntegrationTests.Cluster;

/// <summary>
/// The sample cluster as a user starts it: <c>samples/Cluster/run.sh</c> with its own PostgreSQL, two hosts and
/// HAProxy in front. A real client from a second loopback address (127.0.0.2) goes through HAProxy, and both hosts must
/// serve it and know it by that address, not by HAProxy's 127.0.0.1.
/// </summary>
[RequiresProgram("haproxy", "on Debian: apt-get install haproxy; .ci/run installs it", Directories = ["/usr/sbin"])]
[RequiresProgram("initdb", "the sample starts its own PostgreSQL; on Debian: apt-get install postgresql postgresql-contrib", Directories = ["/usr/lib/postgresql/*/bin"])]
public sealed class HaproxyClusterTests(ITestOutputHelper log) : IRequiresPostgres
{
    private const string Password = "alice-cluster-pw";
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    private readonly StringBuilder _output = new();
    private readonly Lock _outputGate = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [StoreFact]
    public async Task A_client_through_haproxy_is_served_by_both_hosts_and_recorded_with_its_own_address()
    {
        using var overall = new CancellationTokenSource(Deadline);
        var basePort = FreeBasePort();
        var clock = Stopwatch.StartNew();
        using var cluster = StartCluster(basePort);
        try
        {
            await WaitForReadyAsync(cluster, overall.Token);
            log.WriteLine($"ready after {clock.Elapsed.TotalSeconds:F1} s");
            var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Value("Certificate"), overall.Token));
            var connectionString = Value("PostgreSQL");
            var hostLogs = new[] { LogPath("Host a"), LogPath("Host b") };

            using (var writer = await LoginAsync(basePort, certificate, overall.Token))
            {
                await writer.Inbox.AppendAsync(new AppendRequest(Message()), overall.Token);
                await writer.DisconnectAsync(quit: true, overall.Token);
            }

            // Round robin alternates the hosts, so three more sessions reach each host at least once more.
            for (var session = 0; session < 3; session++)
            {
                using var reader = await LoginAsync(basePort, certificate, overall.Token);
                await reader.Inbox.OpenAsync(FolderAccess.ReadOnly, overall.Token);
                var message = await reader.Inbox.GetMessageAsync(0, overall.Token);
                message.Subject.Should().Be("Through the balancer", "every host reads the one shared database");
                await reader.DisconnectAsync(quit: true, overall.Token);
            }

            foreach (var hostLog in hostLogs)
            {
                await WaitForLoginLineAsync(hostLog, overall.Token);
            }

            // Only HAProxy may speak to a host: the same client straight to host a is closed without a greeting.
            (await ReadGreetingDirectlyAsync(basePort + 10, overall.Token)).Should().BeEmpty("127.0.0.2 is not a trusted proxy");

            var show = await ExternalProcess.RunAsync(
                "dotnet",
                [Path.Combine(AppContext.BaseDirectory, "mailhost.dll"), "users", "show", "alice", "--logins", "20"],
                environment: new Dictionary<string, string>
                {
                    ["MailHost__Store__Provider"] = "Postgres",
                    ["ConnectionStrings__MailHost"] = connectionString,
                },
                workingDirectory: Path.GetTempPath(),
                timeout: TimeSpan.FromSeconds(60));
            show.ExitCode.Should().Be(0, show.StandardError);
            log.WriteLine(show.StandardOutput);
            show.StandardOutput.Should().Contain("127.0.0.2:", "the PROXY header named the client");
            show.StandardOutput.Should().NotContain("127.0.0.1", "HAProxy's own address is never the client");
            Regex.Matches(show.StandardOutput, @"127\.0\.0\.2:\d+").Should().HaveCount(4, "each of the four logins is recorded once");

            await StopAsync(cluster, overall.Token);
            Directory.Exists(Path.GetDirectoryName(hostLogs[0])!).Should().BeFalse("the script removes its temporary directory");
            log.WriteLine($"whole run {clock.Elapsed.TotalSeconds:F1} s");
        }
        catch (Exception ex) when (ex is not XunitException || !ex.Message.Contains("run.sh said", StringComparison.Ordinal))
        {
            throw new XunitException($"{ex.Message}{Environment.NewLine}--- run.sh said ---{Environment.NewLine}{Output}", ex);
        }
        finally
        {
            if (!cluster.HasExited)
            {
                // Last resort after a failure: SIGTERM lets the script stop PostgreSQL and remove its directory.
                await SignalAsync(cluster, "TERM");
                if (!cluster.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    cluster.Kill(entireProcessTree: true);
                }
            }

            log.WriteLine(Output);
        }
    }

    private string Output
    {
        get
        {
            lock (_outputGate)
            {
                return _output.ToString();
            }
        }
    }

    private Process StartCluster(int basePort)
    {
        var script = Path.Combine(RepositoryRoot(), "samples", "Cluster", "run.sh");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            script,
            "--mailhost-dll", Path.Combine(AppContext.BaseDirectory, "mailhost.dll"),
            "--base-port", basePort.ToString(CultureInfo.InvariantCulture),
            "--demo-account", "alice@example.com:" + Password,
            // Bounds the cluster's life even if this test process dies without stopping it.
            "--stop-after", ((int)Deadline.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputGate)
        {
            _output.AppendLine(line);
        }

        if (line.StartsWith("Cluster ready", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private async Task WaitForReadyAsync(Process cluster, CancellationToken cancellationToken)
    {
        using var readyWithin = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        readyWithin.CancelAfter(TimeSpan.FromSeconds(120));
        var exited = cluster.WaitForExitAsync(readyWithin.Token);
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(Timeout.Infinite, readyWithin.Token));
        if (first != _ready.Task)
        {
            throw new XunitException($"run.sh was not ready within 120 s{(cluster.HasExited ? $" (it exited with {cluster.ExitCode})" : "")}.{Environment.NewLine}--- run.sh said ---{Environment.NewLine}{Output}");
        }
    }

    /// <summary>A value the script printed as <c>Name: value</c>.</summary>
    private string Value(string name)
    {
        var prefix = name + ": ";
        return Output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..]
            ?? throw new XunitException($"run.sh printed no '{name}:' line.");
    }

    /// <summary>The log file named at the end of the script's <c>Host a: ..., log PATH</c> line.</summary>
    private string LogPath(string host) => Value(host).Split(", log ")[^1];

    private static async Task<ImapClient> LoginAsync(int basePort, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var client = new ImapClient
        {
            // The client's own address, so the hosts can tell it from HAProxy's 127.0.0.1.
            LocalEndPoint = new IPEndPoint(Client, 0),
            Timeout = 20_000,
            // Both hosts present the script's one certificate; nothing else is trusted.
            ServerCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
        };
        await client.ConnectAsync("127.0.0.1", basePort, SecureSocketOptions.StartTls, cancellationToken);
        await client.AuthenticateAsync("alice", Password, cancellationToken);
        return client;
    }

    private static async Task WaitForLoginLineAsync(string hostLog, CancellationToken cancellationToken)
    {
        // The console logger writes in the background: give the line a few seconds to reach the file.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (File.Exists(hostLog) && (await File.ReadAllTextAsync(hostLog, cancellationToken)).Contains("IMAP login as alice", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new XunitException($"{hostLog} shows no IMAP login: round robin should have sent a session to that host.");
    }

    private static async Task<string> ReadGreetingDirectlyAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(Client, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        within.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[512];
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, within.Token);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (SocketException)
        {
            return string.Empty;
        }
    }

    private static async Task StopAsync(Process cluster, CancellationToken cancellationToken)
    {
        await SignalAsync(cluster, "TERM");
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        within.CancelAfter(TimeSpan.FromSeconds(60));
        await cluster.WaitForExitAsync(within.Token);
        cluster.ExitCode.Should().Be(143, "the script stops everything and exits as a TERM-ended program does");
    }

    private static async Task SignalAsync(Process process, string signal)
    {
        // .NET sends only SIGKILL; the script needs TERM to run its clean-up.
        var result = await ExternalProcess.RunAsync("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10));
        result.ExitCode.Should().Be(0, result.StandardError);
    }

    /// <summary>A base port whose 24 ports (HAProxy's and both hosts') are free now, from 24000 on.</summary>
    private static int FreeBasePort()
    {
        for (var basePort = 24000; basePort < 30000; basePort += 100)
        {
            if (Enumerable.Range(0, 24).All(offset => IsFree(basePort + offset)))
            {
                return basePort;
            }
        }

        throw new XunitException("no free block of ports from 24000 to 30000 on 127.0.0.1");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MailHost.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("MailHost.sln not found above the test folder");
    }

    private static MimeMessage Message()
    {
        return new MimeMessage(
            [new MailboxAddress("Bob", "bob@example.org")],
            [new MailboxAddress("Alice", "alice@example.com")],
            "Through the balancer",
            new TextPart("plain") { Text = "Stored by one host, read through both." })
        {
            Date = new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero),
        };
    }
}
