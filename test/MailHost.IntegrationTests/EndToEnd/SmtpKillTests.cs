using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>
/// SECURITY T20 over the real host: 1,000 messages through 20 SMTP sessions while the <c>mailhost</c> process is
/// killed with SIGKILL partway; after a restart the senders finish, and every message that got a 250 must be in the
/// mailbox, complete, at least once (RFC 5321 §6.1 allows duplicates, never a loss).
/// </summary>
public sealed class SmtpKillTests(ITestOutputHelper output)
{
    private const int Sessions = 20;
    private const int MessagesPerSession = 50;
    private const int KillAfterAcknowledged = 350;
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "mailhost.dll");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private readonly Lock _gate = new();
    private TaskCompletionSource _serverUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task Every_acknowledged_message_survives_SIGKILL_of_the_host()
    {
        using var data = new TempDirectory();
        using var overall = new CancellationTokenSource(Deadline);
        var port = FreePort();
        (await Admin(data, "domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await Admin(data, "users", "add", "alice", "--address", "alice@example.com", "--password", "pw-not-used")).ExitCode.Should().Be(0);

        var seed = System.Environment.TickCount;
        output.WriteLine($"seed {seed}, port {port}");
        var messages = Enumerable.Range(0, Sessions * MessagesPerSession).Select(i => MessageBytes(i, seed)).ToArray();
        var acknowledged = new ConcurrentDictionary<int, bool>();
        var killPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = await StartHostAsync(data, port, overall.Token);
        Process? second = null;
        try
        {
            var senders = Enumerable.Range(0, Sessions)
                .Select(s => SendAllAsync(port, messages, s, acknowledged, killPoint, overall.Token))
                .ToArray();

            await killPoint.Task.WaitAsync(overall.Token);
            lock (_gate)
            {
                _serverUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            first.Kill();
            await first.WaitForExitAsync(overall.Token);
            var atKill = acknowledged.Count;
            output.WriteLine($"killed after {atKill} acknowledgements");

            second = await StartHostAsync(data, port, overall.Token);
            await Task.WhenAll(senders).WaitAsync(overall.Token);
            second.Kill();
            await second.WaitForExitAsync(overall.Token);
            atKill.Should().BeLessThan(messages.Length, "the kill came partway");
        }
        finally
        {
            KillQuietly(first);
            KillQuietly(second);
        }

        acknowledged.Should().HaveCount(messages.Length);
        var stored = await ReadStoreAsync(data.Path);
        var expected = messages.Select(BodyHash).ToArray();
        foreach (var (id, hashes) in stored)
        {
            hashes.Should().AllSatisfy(h => h.Should().Be(expected[id], "message {0} is complete", id));
        }

        acknowledged.Keys.Where(id => !stored.ContainsKey(id)).Should().BeEmpty("no acknowledged message may be lost");
        output.WriteLine($"{stored.Values.Sum(v => v.Count)} stored copies of {messages.Length} messages");
    }

    private async Task SendAllAsync(int port, byte[][] messages, int session, ConcurrentDictionary<int, bool> acknowledged, TaskCompletionSource killPoint, CancellationToken ct)
    {
        // Yield at once so that the 20 sessions start together.
        await Task.Yield();
        SmtpClient? client = null;
        try
        {
            for (var n = 0; n < MessagesPerSession; n++)
            {
                var id = (session * MessagesPerSession) + n;
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    Task up;
                    lock (_gate)
                    {
                        up = _serverUp.Task;
                    }

                    await up.WaitAsync(ct);
                    try
                    {
                        if (client is null)
                        {
                            client = new SmtpClient { Timeout = 20_000 };
                            await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None, ct);
                        }

                        await client.SendAsync(MimeMessage.Load(new MemoryStream(messages[id]), ct), ct);
                        acknowledged[id] = true;
                        if (acknowledged.Count >= KillAfterAcknowledged)
                        {
                            killPoint.TrySetResult();
                        }

                        break;
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or SmtpCommandException or SmtpProtocolException or MailKit.ServiceNotConnectedException)
                    {
                        // Not acknowledged: send it again once the host is back (a duplicate is allowed).
                        client?.Dispose();
                        client = null;
                    }
                }
            }

            await client!.DisconnectAsync(true, ct);
        }
        finally
        {
            client?.Dispose();
        }
    }

    private async Task<Process> StartHostAsync(TempDirectory data, int port, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data.Path,
        };
        start.ArgumentList.Add(Executable);
        foreach (var (key, value) in HostEnvironment(data, port))
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Listening:", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine("host: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Task.WhenAny(listening.Task, process.WaitForExitAsync(ct)).Unwrap().WaitAsync(ct);
        process.HasExited.Should().BeFalse("the host must start");
        lock (_gate)
        {
            _serverUp.TrySetResult();
        }

        return process;
    }

    private static Dictionary<string, string> HostEnvironment(TempDirectory data, int port)
    {
        var env = new Dictionary<string, string>
        {
            ["MailHost__DataDirectory"] = data.Path,
            ["MailHost__Hostname"] = "mx.example.com",
            ["MailHost__Auth__PasswordIterations"] = "4096",
            ["MailHost__Endpoints__Smtp__Url"] = $"smtp://127.0.0.1:{port}",
            ["MailHost__Endpoints__Smtp__Tls"] = "None",

            // The child process has no fake DNS zone; mail authentication would ask the machine's resolver.
            ["MailHost__MailAuthentication__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__MailHost.Server"] = "Information",
        };
        // The working directory is the data directory, which holds no appsettings.json: Smtp is the only endpoint.
        return env;
    }

    private static Task<ProcessResult> Admin(TempDirectory data, params string[] args)
        => ExternalProcess.RunAsync("dotnet", [Executable, .. args], null, HostEnvironment(data, 1), workingDirectory: data.Path);

    private static async Task<Dictionary<int, List<string>>> ReadStoreAsync(string directory)
    {
        var result = new Dictionary<int, List<string>>();
        await using var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = directory }, null, null, CancellationToken.None);
        var opened = await store.OpenAccountAsync("alice", CancellationToken.None);
        opened.IsSuccess.Should().BeTrue();
        await using var account = opened.Value;
        var view = await account.OpenMailboxAsync(MailboxName.Inbox, examine: true, CancellationToken.None);
        await using var inbox = view.Value;
        await foreach (var message in inbox.FetchAsync(UidSet.All, FetchOptions.Default, CancellationToken.None))
        {
            await using var content = (await message.Content.OpenAsync(CancellationToken.None))!;
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            var text = Encoding.ASCII.GetString(copy.ToArray());
            var start = text.IndexOf("Message-ID: <k", StringComparison.Ordinal) + "Message-ID: <k".Length;
            var id = int.Parse(text[start..text.IndexOf('@', start)], CultureInfo.InvariantCulture);
            (result.TryGetValue(id, out var list) ? list : result[id] = []).Add(BodyHash(copy.ToArray()));
        }

        return result;
    }

    private static byte[] MessageBytes(int id, int seed)
    {
        var random = new Random(seed + id);
        var body = new StringBuilder();
        for (var line = 0; line < 30; line++)
        {
            body.Append(Convert.ToBase64String(RandomBytes(random, 57))).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes($"From: sender@remote.example\r\nTo: alice@example.com\r\nSubject: kill test {id}\r\nMessage-ID: <k{id}@kill.test>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\n{body}");
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>SHA-256 of the body (after the first empty line), which the server's added header fields do not touch.</summary>
    private static string BodyHash(byte[] message)
    {
        var split = message.AsSpan().IndexOf("\r\n\r\n"u8);
        return Convert.ToHexString(SHA256.HashData(message.AsSpan(split + 4)));
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void KillQuietly(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
