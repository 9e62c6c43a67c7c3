using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailHost.Filtering.ClamAv;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Filtering.ClamAv;

/// <summary>
/// A real clamd on a loopback port and a unix socket of its own, with a signature database made here (clamd cannot
/// download signatures in tests, and freshclam is never run): one hash signature for the EICAR test file. Started per
/// test, killed on dispose or by <see cref="StopAsync"/>.
/// </summary>
/// <remarks>
/// The signature is a file hash (<c>.hdb</c>: <c>sha256:size:name</c>). clamd's mail parser (<c>ScanMail yes</c>)
/// decodes each MIME part and scans it as a file of its own, so the hash matches EICAR sent as a base64 attachment (and
/// EICAR sent bare); it does not match EICAR inside a larger text part, which is not the file. Checked against clamd
/// 1.4.6. clamd adds <c>.UNOFFICIAL</c> to the name of a signature from a database it did not get from ClamAV.
/// </remarks>
public sealed class ClamdServer : IAsyncDisposable
{
    /// <summary>The signature's name in the database; clamd reports it as <see cref="ReportedName"/>.</summary>
    public const string SignatureName = "MailHost-Test-EICAR";

    /// <summary>The name clamd gives in <c>FOUND</c> replies.</summary>
    public const string ReportedName = SignatureName + ".UNOFFICIAL";

    private const string Program = "clamd";

    // Loading one signature takes a second or two; the deadline is for a busy machine.
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ClamdServer()
    {
    }

    /// <summary>Why ClamAV tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_CLAMAV") == "1" || ClamdPath is not null
            ? null
            : "ClamAV tests skipped: clamd is not installed (on Debian: apt-get install clamav-daemon; .ci/run installs it).";

    /// <summary>The clamd executable: on PATH, or in /usr/sbin (Debian's place, not on every user's PATH).</summary>
    public static string? ClamdPath =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/sbin")
            .Select(directory => Path.Combine(directory, Program))
            .FirstOrDefault(File.Exists);

    /// <summary>clamd's TCP port on 127.0.0.1.</summary>
    public int TcpPort { get; private set; }

    /// <summary>The path of clamd's unix socket.</summary>
    public string SocketPath => Path.Combine(_directory.Path, "clamd.sock");

    /// <summary><c>tcp://127.0.0.1:PORT</c>, for <c>MailHost:Filtering:ClamAv:Address</c>.</summary>
    public string TcpAddress => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{TcpPort}");

    /// <summary><c>unix:PATH</c>, for <c>MailHost:Filtering:ClamAv:Address</c>.</summary>
    public string UnixAddress => "unix:" + SocketPath;

    /// <summary>What clamd printed, and its log, for failure messages.</summary>
    public string Output
    {
        get
        {
            string printed;
            lock (_output)
            {
                printed = _output.ToString();
            }

            var log = Path.Combine(_directory.Path, "clamd.log");
            return File.Exists(log) ? printed + "\n--- clamd.log ---\n" + File.ReadAllText(log) : printed;
        }
    }

    /// <summary>
    /// The 68-octet EICAR anti-virus test file (eicar.org), which every scanner detects and which does nothing. Built
    /// from two halves so that this source file itself is not taken for the test file by a scanner on a developer's
    /// machine.
    /// </summary>
    public static byte[] EicarFile() => Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    /// <summary>A MIME message (RFC 2045, 2046) with a text part and EICAR as a base64 attachment <c>eicar.com</c>.</summary>
    public static byte[] EicarMessage()
    {
        var attachment = Convert.ToBase64String(EicarFile(), Base64FormattingOptions.InsertLineBreaks);
        return Encoding.ASCII.GetBytes(
            "From: sender@example.net\r\n" +
            "To: user@example.org\r\n" +
            "Subject: the EICAR test file\r\n" +
            "Message-ID: <eicar@example.net>\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
            "\r\n" +
            "--b1\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n" +
            "\r\n" +
            "The attachment is the EICAR anti-virus test file.\r\n" +
            "--b1\r\n" +
            "Content-Type: application/octet-stream; name=\"eicar.com\"\r\n" +
            "Content-Disposition: attachment; filename=\"eicar.com\"\r\n" +
            "Content-Transfer-Encoding: base64\r\n" +
            "\r\n" +
            attachment + "\r\n" +
            "--b1--\r\n");
    }

    /// <summary>A plain-text message whose body is about <paramref name="bodyOctets"/> octets of harmless lines.</summary>
    public static byte[] CleanMessage(int bodyOctets = 100)
    {
        var message = new StringBuilder(
            "From: sender@example.net\r\nTo: user@example.org\r\nSubject: hello\r\nMessage-ID: <clean@example.net>\r\n\r\n");
        for (var line = 0; message.Length < bodyOctets; line++)
        {
            message.Append(CultureInfo.InvariantCulture, $"Line {line}: nothing to see here, just harmless text.\r\n");
        }

        return Encoding.ASCII.GetBytes(message.ToString());
    }

    /// <summary>
    /// Starts clamd and returns once it answers PING on both sockets. <paramref name="streamMaxLength"/> is its
    /// <c>StreamMaxLength</c> (clamd.conf(5) syntax: <c>25M</c>, <c>1M</c>).
    /// </summary>
    public static async Task<ClamdServer> StartAsync(string streamMaxLength = "25M")
    {
        var server = new ClamdServer();
        try
        {
            await server.StartProcessAsync(streamMaxLength);
            return server;
        }
        catch (Exception ex)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"clamd did not start: {ex.Message}\n{output}", ex);
        }
    }

    /// <summary>A client of this clamd over TCP or the unix socket.</summary>
    internal ClamdClient Client(bool unix = false, int chunkSize = ClamAvOptions.DefaultChunkSize)
        => ClamdAddress.TryParse(unix ? UnixAddress : TcpAddress, out var address, out var error)
            ? new ClamdClient(address, chunkSize)
            : throw new InvalidOperationException(error);

    /// <summary>Kills clamd (as a crash would: the socket file stays) and waits until it is gone.</summary>
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
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(bound.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or stuck: the test process ends it at the latest.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _directory.Dispose();
    }

    private async Task StartProcessAsync(string streamMaxLength)
    {
        var database = Directory.CreateDirectory(Path.Combine(_directory.Path, "db")).FullName;
        var temporary = Directory.CreateDirectory(Path.Combine(_directory.Path, "tmp")).FullName;
        var eicar = EicarFile();
        await File.WriteAllTextAsync(
            Path.Combine(database, "mailhost-test.hdb"),
            string.Create(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA256.HashData(eicar))}:{eicar.Length}:{SignatureName}\n"));

        TcpPort = LoopbackPort.Free();
        var configuration = Path.Combine(_directory.Path, "clamd.conf");

        // clamd.conf(5). No User line: clamd runs as whoever starts it (as root it would otherwise switch to the User
        // given, which must then be able to read this directory). No SelfCheck reloads during a test.
        await File.WriteAllTextAsync(configuration, $"""
            Foreground yes
            DatabaseDirectory {database}
            TemporaryDirectory {temporary}
            TCPSocket {TcpPort}
            TCPAddr 127.0.0.1
            LocalSocket {SocketPath}
            PidFile {Path.Combine(_directory.Path, "clamd.pid")}
            LogFile {Path.Combine(_directory.Path, "clamd.log")}
            LogSyslog no
            LogVerbose yes
            SelfCheck 0
            ScanMail yes
            StreamMaxLength {streamMaxLength}

            """);

        var start = new ProcessStartInfo(ClamdPath ?? Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory.Path,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(configuration);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(StartLimit);
        foreach (var unix in new[] { false, true })
        {
            var client = Client(unix);
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"clamd exited with {_process.ExitCode}.");
                }

                try
                {
                    await client.PingAsync(deadline.Token);
                    break;
                }
                catch (Exception ex) when (ex is SocketException or IOException or ClamdException)
                {
                    // Still loading the database: the sockets open once it is loaded.
                }

                await Task.Delay(50, deadline.Token);
            }
        }
    }

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
