using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// A Pebble ACME server and its DNS, <c>pebble-challtestsrv</c>, on loopback ports of their own, started per test and
/// killed on dispose. Every name resolves to 127.0.0.1 (no AAAA), so Pebble validates HTTP-01 on
/// <see cref="HttpPort"/> and TLS-ALPN-01 on <see cref="TlsPort"/> of this machine, where the host under test listens.
/// Pebble serves its ACME API with a certificate made here (trusted by the host through <see cref="TrustPath"/>) and
/// issues from a root of its own making, fetched once it runs (<see cref="Root"/>), trusted by the test's clients only.
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    /// <summary>How long a Pebble certificate lives here: short, so renewal at two thirds is near.</summary>
    public static readonly TimeSpan CertificateLifetime = TimeSpan.FromHours(1);

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new();
    private readonly StringBuilder _output = new();
    private readonly List<Process> _processes = [];
    private X509Certificate2 _apiAuthority = null!;
    private int _apiPort;
    private int _managementPort;

    private PebbleServer(int httpPort, int tlsPort)
    {
        HttpPort = httpPort;
        TlsPort = tlsPort;
    }

    /// <summary>Why Pebble tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_PEBBLE") == "1" || (ExternalProcess.Exists("pebble") && ExternalProcess.Exists("pebble-challtestsrv") && ExternalProcess.Exists("curl"))
            ? null
            : "Pebble tests skipped: pebble, pebble-challtestsrv or curl is not installed (on Debian: apt-get install pebble curl; .ci/run installs them).";

    /// <summary>The port Pebble fetches HTTP-01 answers from.</summary>
    public int HttpPort { get; }

    /// <summary>The port Pebble opens TLS-ALPN-01 connections to.</summary>
    public int TlsPort { get; }

    /// <summary>The port of challtestsrv's management API (<c>/set-txt</c>, <c>/clear-txt</c>, <c>/add-a</c>).</summary>
    public int DnsManagementPort { get; private set; }

    public string DirectoryUrl => string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{_apiPort}/dir");

    /// <summary>The PEM of the authority of Pebble's own HTTPS certificate, for <c>Acme:DirectoryCertificate</c>.</summary>
    public string TrustPath => Path.Combine(_directory.Path, "api-ca.pem");

    /// <summary>The root Pebble issues from (fresh at every start).</summary>
    public X509Certificate2 Root { get; private set; } = null!;

    /// <summary>Everything the two processes printed, for failure messages.</summary>
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

    /// <summary>A free loopback port (<see cref="LoopbackPort.Free"/>).</summary>
    public static int FreePort() => LoopbackPort.Free();

    /// <summary>Starts challtestsrv and Pebble; <paramref name="nonceRejectPercent"/> of good nonces are refused with badNonce.</summary>
    public static async Task<PebbleServer> StartAsync(int httpPort, int tlsPort, int nonceRejectPercent = 0)
    {
        var server = new PebbleServer(httpPort, tlsPort);
        try
        {
            await server.StartProcessesAsync(nonceRejectPercent);
            return server;
        }
        catch (Exception ex)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"Pebble did not start: {ex.Message}\n{output}", ex);
        }
    }

    /// <summary>Makes <paramref name="host"/> resolve to <paramref name="address"/> instead of 127.0.0.1.</summary>
    public async Task AddARecordAsync(string host, string address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsJsonAsync(
            new Uri($"http://127.0.0.1:{DnsManagementPort}/add-a"), new { host = host + ".", addresses = new[] { address } });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Writes a DNS hook script that publishes TXT records through challtestsrv with curl, as an operator's script would
    /// through a provider's API; <paramref name="failWith"/> makes it fail with that message instead.
    /// </summary>
    public string WriteDnsHook(string? failWith = null)
    {
        var path = Path.Combine(_directory.Path, failWith is null ? "dns-hook.sh" : "failing-dns-hook.sh");
        var body = failWith is not null
            ? $"echo \"{failWith}\" >&2\nexit 1\n"
            : $$"""
              api=http://127.0.0.1:{{DnsManagementPort}}
              case "$1" in
                set)   curl -sSf -X POST -d "{\"host\":\"$2.\",\"value\":\"$3\"}" "$api/set-txt" ;;
                clear) curl -sSf -X POST -d "{\"host\":\"$2.\"}" "$api/clear-txt" ;;
                *)     echo "unknown action $1" >&2; exit 2 ;;
              esac
              """;
        File.WriteAllText(path, "#!/bin/sh\n# MailHost ACME DNS hook: $1 = set|clear, $2 = record name, $3 = TXT value\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>
    /// Whether a server certificate chains to Pebble's root using only the certificates the server sent (so a host that
    /// left out the intermediate fails), for a client's validation callback. The name was checked by the TLS stack.
    /// </summary>
    public bool Validates(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Root);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
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

    private async Task StartProcessesAsync(int nonceRejectPercent)
    {
        var dnsPort = FreePort();
        DnsManagementPort = FreePort();
        _apiPort = FreePort();
        _managementPort = FreePort();
        WriteApiCertificate();

        // Only its DNS and management API: its own challenge responders would take ports the host needs.
        Start("pebble-challtestsrv", [
            "-dns01", $"127.0.0.1:{dnsPort}", "-management", $"127.0.0.1:{DnsManagementPort}",
            "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
        ], []);
        var config = Path.Combine(_directory.Path, "pebble-config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            pebble = new
            {
                listenAddress = $"127.0.0.1:{_apiPort}",
                managementListenAddress = $"127.0.0.1:{_managementPort}",
                certificate = Path.Combine(_directory.Path, "api.pem"),
                privateKey = Path.Combine(_directory.Path, "api.key"),
                httpPort = HttpPort,
                tlsPort = TlsPort,
                ocspResponderURL = "",
                externalAccountBindingRequired = false,
                certificateValidityPeriod = (ulong)CertificateLifetime.TotalSeconds,
            },
        }));
        Start("pebble", ["-config", config, "-dnsserver", $"127.0.0.1:{dnsPort}"], new Dictionary<string, string>
        {
            ["PEBBLE_VA_NOSLEEP"] = "1",
            ["PEBBLE_WFE_NONCEREJECT"] = nonceRejectPercent.ToString(CultureInfo.InvariantCulture),
            // Every order proves its names again, so renewals exercise the challenges too.
            ["PEBBLE_AUTHZREUSE"] = "0",
        });

        using var http = ManagementClient();
        using var deadline = new CancellationTokenSource(StartLimit);
        while (true)
        {
            try
            {
                using var directory = await http.GetAsync(new Uri(DirectoryUrl), deadline.Token);
                using var dns = await http.GetAsync(new Uri($"http://127.0.0.1:{DnsManagementPort}/"), deadline.Token);
                if (directory.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, deadline.Token);
        }

        Root = X509Certificate2.CreateFromPem(await http.GetStringAsync(new Uri($"https://127.0.0.1:{_managementPort}/roots/0"), deadline.Token));
    }

    private void Start(string program, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program)
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

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(program, e.Data);
        process.ErrorDataReceived += (_, e) => Append(program, e.Data);
        process.Start();
        _processes.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Append(string program, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(program).Append(": ").AppendLine(line);
        }
    }

    /// <summary>A CA and a 127.0.0.1 server certificate it signed, for Pebble's ACME and management HTTPS.</summary>
    private void WriteApiCertificate()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=MailHost test Pebble API CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        _apiAuthority = X509CertificateLoader.LoadCertificate(ca.RawData);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = request.Create(ca, now.AddMinutes(-30), now.AddHours(20), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(_directory.Path, "api.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory.Path, "api.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(TrustPath, ca.ExportCertificatePem());
    }

    /// <summary>A client for Pebble's management interface, trusting the authority made for it.</summary>
    private HttpClient ManagementClient()
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(_apiAuthority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return chain.Build(leaf);
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }
}
