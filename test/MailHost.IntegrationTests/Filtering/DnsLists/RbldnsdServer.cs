using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using MailHost.Dns;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Filtering.DnsLists;

/// <summary>
/// An rbldnsd serving the given zones from files in a temporary directory, on a UDP port of its own on 127.0.0.1,
/// started per test and killed on dispose. <see cref="CreateResolver()"/> gives MailHost's own resolver pointed at it.
/// </summary>
public sealed class RbldnsdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new();
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RbldnsdServer()
    {
    }

    /// <summary>Why rbldnsd tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_RBLDNSD") == "1" || ExternalProcess.Exists("rbldnsd") || File.Exists("/usr/sbin/rbldnsd")
            ? null
            : "rbldnsd tests skipped: rbldnsd is not installed (on Debian: apt-get install rbldnsd).";

    /// <summary>The UDP port it answers on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>What rbldnsd printed, for failure messages.</summary>
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

    /// <summary>
    /// Starts rbldnsd with one dataset per entry: <c>Zone</c> (<c>bl.test</c>), <c>Dataset</c> (<c>ip4set</c>,
    /// <c>ip6trie</c>, ...) and <c>Data</c>, the dataset file's text (rbldnsd(8) describes the formats).
    /// </summary>
    public static async Task<RbldnsdServer> StartAsync(params (string Zone, string Dataset, string Data)[] zones)
    {
        var server = new RbldnsdServer();
        try
        {
            await server.StartProcessAsync(zones);
            return server;
        }
        catch (Exception ex)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"rbldnsd did not start: {ex.Message}\n{output}", ex);
        }
    }

    /// <summary>MailHost's DNS resolver asking this server only, without a cache.</summary>
    public IDnsResolver CreateResolver() => CreateResolver(TimeSpan.FromSeconds(2));

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await process.WaitForExitAsync(bound.Token);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // Already gone, or stuck: the test process ends it at the latest.
            }

            process.Dispose();
        }

        _directory.Dispose();
    }

    private async Task StartProcessAsync((string Zone, string Dataset, string Data)[] zones)
    {
        List<string> zoneSpecs = [];
        for (var i = 0; i < zones.Length; i++)
        {
            var file = string.Create(CultureInfo.InvariantCulture, $"zone{i}.txt");
            await File.WriteAllTextAsync(Path.Combine(_directory.Path, file), zones[i].Data);
            zoneSpecs.Add($"{zones[i].Zone}:{zones[i].Dataset}:{file}");
        }

        // The port is free when probed; should another process take it before rbldnsd binds, rbldnsd exits and the
        // next attempt takes another.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeUdpPort();
            _process = Start(["-n", "-b", $"127.0.0.1/{Port}", "-w", _directory.Path, .. zoneSpecs]);
            if (await WaitUntilAnsweringAsync(_process, zones[0].Zone))
            {
                return;
            }

            _process.Dispose();
            _process = null;
            if (attempt == 3)
            {
                throw new InvalidOperationException("rbldnsd exited at start three times.");
            }
        }
    }

    /// <summary>True once the server answers a query (listed or not); false when it exited first.</summary>
    private async Task<bool> WaitUntilAnsweringAsync(Process process, string zone)
    {
        // A short time-out: until rbldnsd has bound its port, a query goes unanswered.
        var resolver = CreateResolver(TimeSpan.FromMilliseconds(250));
        using var deadline = new CancellationTokenSource(StartLimit);
        while (true)
        {
            if (process.HasExited)
            {
                return false;
            }

            var probe = await resolver.ResolveAddressesAsync($"2.0.0.127.{zone}", AddressFamily.InterNetwork, deadline.Token);
            if (probe.Status != DnsLookupStatus.TemporaryFailure)
            {
                return true;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private DnsClientResolver CreateResolver(TimeSpan timeout)
        => new(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port))
        {
            UseCache = false,
            ThrowDnsErrors = false,
            Timeout = timeout,
            Retries = 0,
        });

    private Process Start(string[] arguments)
    {
        var start = new ProcessStartInfo(ExternalProcess.Exists("rbldnsd") ? "rbldnsd" : "/usr/sbin/rbldnsd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }
}
