using System.Net;
using System.Net.Security;
using MailHost.Hosting;

namespace MailHost.Server.Administration;

/// <summary>
/// <c>mailhost health [--live]</c>: asks the running server's administration endpoint for <c>/readyz</c> (or
/// <c>/healthz</c>) and exits 0 when it answers 200, 1 otherwise. Made for a container's HEALTHCHECK, where the runtime
/// image has no curl; the endpoint is found from the same configuration as the server's.
/// </summary>
internal static class HealthCommand
{
    public const int ExitHealthy = 0;
    public const int ExitUnhealthy = 1;
    public const int ExitUsage = 2;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static bool IsHealthCommand(string[] args) => args is ["health", ..];

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var words = args.Skip(1).Where(a => !a.StartsWith("--MailHost:", StringComparison.OrdinalIgnoreCase)).ToList();
        var live = words.Remove("--live");
        if (words.Count > 0)
        {
            await stderr.WriteLineAsync("Usage: mailhost health [--live]   (ready: /readyz; --live: /healthz)").ConfigureAwait(false);
            return ExitUsage;
        }

        AdminHttpSettings? settings;
        try
        {
            settings = AdminHttpSettings.Read(configuration);
        }
        catch (MailHostConfigurationException ex)
        {
            await stderr.WriteLineAsync("Configuration error: " + ex.Message).ConfigureAwait(false);
            return ExitUsage;
        }

        if (settings is null)
        {
            await stderr.WriteLineAsync($"The administration endpoint is off: set {AdminHttpSettings.UrlKey} (for example http://localhost:8480).").ConfigureAwait(false);
            return ExitUsage;
        }

        var uri = Address(settings, live ? "/healthz" : "/readyz");
        using var handler = new SocketsHttpHandler
        {
            // The server's own certificate names its mail host name, not the loopback address asked here; the
            // connection never leaves this machine unless the endpoint is bound to one remote address.
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None || IsLoopback(uri) },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(uri).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            await stdout.WriteLineAsync($"{(int)response.StatusCode} {body}").ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK ? ExitHealthy : ExitUnhealthy;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"{uri}: {ex.Message}").ConfigureAwait(false);
            return ExitUnhealthy;
        }
    }

    private static Uri Address(AdminHttpSettings settings, string path)
    {
        var host = settings.Address switch
        {
            { IsLocalhost: true } => "localhost",
            { Address: null } => IPAddress.Loopback.ToString(),
            { Address: var address } when address.Equals(IPAddress.Any) => IPAddress.Loopback.ToString(),
            { Address: var address } when address.Equals(IPAddress.IPv6Any) => IPAddress.IPv6Loopback.ToString(),
            { Address: var address } => address.ToString(),
        };
        return new UriBuilder(settings.Https ? "https" : "http", host, settings.Address.Port, path).Uri;
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback;
}
