using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailHost.IntegrationTests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Packaging;

/// <summary>
/// The packages as a new user meets them: packed from a copy of the sources into a local folder, then a fresh
/// application (files under Packaging/Consumer) takes them from that folder only, the .NET tool is installed from
/// it, and the host is published as one self-contained file. This catches what project references hide: a missing
/// dependency, an internal type in a sample, a file left out of a package.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);
    private static readonly string[] Libraries = ["MailHost", "MailHost.Protocols", "MailHost.Storage.Sqlite", "MailHost.Storage.Postgres", "MailHost.Testing"];
    private static readonly string[] PackageIds = ["mailhost.core", "mailhost.protocols", "mailhost.storage.sqlite", "mailhost.storage.postgres", "mailhost.testing", "mailhost"];

    // A version of its own per run: the shared NuGet cache never hands back packages of an earlier run.
    private readonly string _version = "1.0.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
    private readonly TempDirectory _work = new();

    [Fact]
    public async Task A_new_application_embeds_IMAP_and_SMTP_from_the_packages_and_the_tool_administers_it()
    {
        var sources = CopySources();
        var feed = Path.Combine(_work.Path, "feed");
        foreach (var project in Libraries.Select(l => $"src/{l}/{l}.csproj").Append("src/MailHost.Server/MailHost.Server.csproj"))
        {
            await DotnetAsync(sources, "pack", project, "-c", "Release", "-o", feed, "-p:Version=" + _version);
        }

        var packages = Directory.GetFiles(feed).Select(Path.GetFileName).ToList();
        packages.Should().Contain([$"MailHost.Core.{_version}.nupkg", $"MailHost.Core.{_version}.snupkg", $"mailhost.{_version}.nupkg", $"MailHost.Storage.Sqlite.{_version}.nupkg", $"MailHost.Testing.{_version}.nupkg"]);
        using (var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"MailHost.Core.{_version}.nupkg")))
        {
            package.Entries.Select(e => e.FullName).Should().Contain(["README.md", "lib/net10.0/MailHost.Core.dll", "lib/net10.0/MailHost.Core.xml"]);
        }

        // The application: its own folder and nuget.config, the packages from the feed, the rest from the usual registry.
        var app = Path.Combine(_work.Path, "consumer");
        Directory.CreateDirectory(app);
        foreach (var file in new[] { "Program.cs", "Consumer.csproj" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Packaging", "Consumer", file), Path.Combine(app, file));
        }

        var nugetConfig = Path.Combine(app, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await DotnetAsync(app, "build", "-c", "Release", "-p:MailHostVersion=" + _version);

        // The tool, from the same feed, creates the account in the application's data directory.
        var tools = Path.Combine(_work.Path, "tools");
        await DotnetAsync(app, "tool", "install", "mailhost", "--tool-path", tools, "--version", _version, "--configfile", nugetConfig);
        var mailhost = Path.Combine(tools, "mailhost");
        (await RunAsync(mailhost, app, [], "--version")).StandardOutput.Should().StartWith("mailhost 1.0.0");
        var data = Path.Combine(app, "data");
        var admin = new Dictionary<string, string> { ["MailHost__DataDirectory"] = data, ["MailHost__Auth__PasswordIterations"] = "4096" };
        await RunAsync(mailhost, app, admin, "domains", "add", "example.test");
        await RunAsync(mailhost, app, admin, "users", "add", "alice", "--address", "alice@example.test", "--password", "a long password");

        var (smtpPort, imapPort) = (FreePort(), FreePort());
        var environment = new Dictionary<string, string>
        {
            ["MailHost__DataDirectory"] = data,
            ["MailHost__Hostname"] = "localhost",
            ["MailHost__Auth__AllowPlaintextAuthentication"] = "true",
            ["MailHost__Endpoints__Smtp__Url"] = $"smtp://127.0.0.1:{smtpPort}",
            ["MailHost__Endpoints__Smtp__Tls"] = "None",
            ["MailHost__Endpoints__Imap__Url"] = $"imap://127.0.0.1:{imapPort}",
            ["MailHost__Endpoints__Imap__Tls"] = "None",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        using var server = StartBackground("dotnet", app, environment, Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"));
        await WaitForPortAsync(smtpPort, server);

        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", smtpPort, SecureSocketOptions.None);
            var message = new MimeMessage { Subject = "From the packages" };
            message.From.Add(MailboxAddress.Parse("bob@elsewhere.test"));
            message.To.Add(MailboxAddress.Parse("alice@example.test"));
            message.Body = new TextPart("plain") { Text = "Embedded in ten lines." };
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }

        using var imap = new ImapClient();
        await imap.ConnectAsync("127.0.0.1", imapPort, SecureSocketOptions.None);
        await imap.AuthenticateAsync("alice@example.test", "a long password");
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        imap.Inbox.Count.Should().Be(1);
        (await imap.Inbox.GetMessageAsync(0)).Subject.Should().Be("From the packages");
        await imap.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task The_host_publishes_as_one_self_contained_file_that_serves()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            output.WriteLine("The single-file check publishes for linux-x64 and runs the result: it needs a linux-x64 machine.");
            return;
        }

        var sources = CopySources();
        var publish = Path.Combine(_work.Path, "publish");
        await DotnetAsync(sources, "publish", "src/MailHost.Server/MailHost.Server.csproj", "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-o", publish);
        var executable = Path.Combine(publish, "mailhost");
        File.Exists(executable).Should().BeTrue();
        Directory.GetFiles(publish, "*.dll").Should().BeEmpty("everything managed is inside the one file");
        (await RunAsync(executable, publish, [], "--version")).StandardOutput.Should().StartWith("mailhost 1.0.0");

        var port = FreePort();
        var data = Path.Combine(_work.Path, "data");
        var environment = new Dictionary<string, string>
        {
            ["MailHost__DataDirectory"] = data,
            ["MailHost__Hostname"] = "localhost",
            ["MailHost__Endpoints__Smtp__Url"] = $"smtp://127.0.0.1:{port}",
            ["MailHost__Endpoints__Smtp__Tls"] = "None",
        };
        using var server = StartBackground(executable, _work.Path, environment, "serve");
        await WaitForPortAsync(port, server);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream());
        (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))).Should().StartWith("220 localhost");
    }

    public void Dispose()
    {
        _work.Dispose();

        // The packages of this run leave the shared cache with it.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            var folder = Path.Combine(cache, id, _version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>A copy of what a build needs (no bin, obj or test folders), so that nothing here touches the repository's outputs.</summary>
    private string CopySources()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MailHost.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("MailHost.sln not found above the test folder.");
        }

        var copy = Path.Combine(_work.Path, "sources");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            Directory.CreateDirectory(copy);
            File.Copy(Path.Combine(root, file), Path.Combine(copy, file));
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private async Task DotnetAsync(string directory, params string[] arguments)
    {
        string[] quiet = arguments[0] is "build" or "pack" or "publish" ? ["-nologo"] : [];
        var result = await ExternalProcess.RunAsync("dotnet", [.. arguments, .. quiet], workingDirectory: directory, timeout: BuildTimeout,
            environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
        output.WriteLine($"dotnet {string.Join(' ', arguments)}: exit {result.ExitCode}");
        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
    }

    private static async Task<ProcessResult> RunAsync(string program, string directory, Dictionary<string, string> environment, params string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(program, arguments, environment: environment, workingDirectory: directory, timeout: TimeSpan.FromSeconds(60));
        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        return result;
    }

    private static BackgroundProcess StartBackground(string program, string directory, Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new BackgroundProcess(System.Diagnostics.Process.Start(start)!);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, BackgroundProcess server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            server.Process.HasExited.Should().BeFalse("the server stopped: " + server.Output);
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"Nothing listened on port {port} within 60 s: {server.Output}");
    }

    /// <summary>A server process, its output collected, killed when the test ends.</summary>
    private sealed class BackgroundProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        public BackgroundProcess(System.Diagnostics.Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public System.Diagnostics.Process Process { get; }

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

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
