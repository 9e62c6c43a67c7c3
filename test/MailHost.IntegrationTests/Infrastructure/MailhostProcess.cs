using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// The real <c>mailhost</c> executable (the one beside the tests) as a child process on loopback: started with
/// <c>--Key=value</c> arguments, its endpoints read from its "Listening:" lines, its log kept for assertions, and
/// stopped by a signal as an operator's service manager stops it.
/// </summary>
public sealed partial class MailhostProcess : IAsyncDisposable
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "mailhost.dll");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Dictionary<string, IPEndPoint> _endpoints = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _logged = new(0);

    private MailhostProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>The endpoints by name (<c>Imap</c>, <c>Mx</c>, ...), as the host logged them.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Endpoints => _endpoints;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line the host wrote so far, standard output and error.</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Starts the host in <paramref name="dataDirectory"/> and waits until <paramref name="endpointCount"/> endpoints listen.</summary>
    public static async Task<MailhostProcess> StartAsync(string dataDirectory, IEnumerable<string> arguments, int endpointCount, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(Executable);
        start.ArgumentList.Add("--contentRoot=" + dataDirectory);
        start.ArgumentList.Add("--MailHost:DataDirectory=" + dataDirectory);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var host = new MailhostProcess(Process.Start(start)!, output);
        host._process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        try
        {
            await host.WaitForLogAsync(_ => host._endpoints.Count >= endpointCount, StartTimeout);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Runs an admin command of the same executable on <paramref name="dataDirectory"/>.</summary>
    public static Task<ProcessResult> AdminAsync(string dataDirectory, params string[] args)
        => ExternalProcess.RunAsync(
            "dotnet",
            [Executable, .. args],
            null,
            new Dictionary<string, string> { ["MailHost__DataDirectory"] = dataDirectory, ["MailHost__Auth__PasswordIterations"] = "4096" },
            workingDirectory: dataDirectory);

    /// <summary>Sends SIGTERM, what systemd, Docker and <c>kill</c> send to stop a service.</summary>
    public async Task TerminateAsync()
    {
        var kill = await ExternalProcess.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10));
        kill.ExitCode.Should().Be(0, kill.StandardError);
    }

    /// <summary>Waits for the host to exit; false when it did not within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> has been logged.</summary>
    public Task WaitForLogAsync(string text, TimeSpan timeout)
        => WaitForLogAsync(line => line.Contains(text, StringComparison.Ordinal), timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _logged.Dispose();
    }

    private async Task WaitForLogAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!_log.Any(match))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("The host exited with " + _process.ExitCode + ":\n" + string.Join('\n', _log));
            }

            try
            {
                await _logged.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The host did not log the expected line in time:\n" + string.Join('\n', _log));
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            lock (_endpoints)
            {
                _endpoints[match.Groups["name"].Value] = IPEndPoint.Parse(match.Groups["address"].Value);
            }
        }

        _log.Enqueue(line);
        try
        {
            _output.WriteLine("host: " + line);
        }
        catch (InvalidOperationException)
        {
            // The test has ended; the host's last lines still reach the log.
        }

        _logged.Release();
    }

    [GeneratedRegex(@"Listening: (?<name>\w+) \w+ on (?<address>127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
