using System.Net;
using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// Where one onboarding listener binds, read from a URL such as <c>http://*:80</c> or <c>https://127.0.0.1:8443</c>.
/// The host part follows the mail endpoints' rule: <c>*</c> (every address), <c>localhost</c>, or an IP address.
/// </summary>
internal sealed record HttpListenAddress(IPAddress? Address, bool IsLocalhost, int Port)
{
    /// <summary>Reads <paramref name="url"/>; <paramref name="key"/> names the setting in errors.</summary>
    /// <exception cref="MailHostConfigurationException">The URL has another scheme, a host name, or a bad port.</exception>
    public static HttpListenAddress Parse(string url, string scheme, string key)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(url.Trim());
        }
        catch (FormatException ex)
        {
            throw Error(key, $"'{url}' is not a URL such as {scheme}://*:{DefaultPort(scheme)}.", ex);
        }

        if (!string.Equals(binding.Scheme, scheme, StringComparison.OrdinalIgnoreCase) || binding.IsUnixPipe || binding.PathBase.Length > 0)
        {
            throw Error(key, $"'{url}' must be a {scheme}:// URL without a path, such as {scheme}://*:{DefaultPort(scheme)}.");
        }

        if (binding.Port is < 0 or > 65535)
        {
            throw Error(key, $"'{url}' has no valid port.");
        }

        var host = binding.Host;
        if (host is "*" or "+")
        {
            return new HttpListenAddress(null, false, binding.Port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new HttpListenAddress(null, true, binding.Port);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? new HttpListenAddress(address, false, binding.Port)
            : throw Error(key, $"'{url}': the host must be *, localhost or an IP address (a listener binds addresses, not names).");
    }

    /// <summary>Adds a Kestrel listener on this address.</summary>
    public void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (IsLocalhost)
        {
            kestrel.ListenLocalhost(Port, configure);
        }
        else if (Address is null)
        {
            kestrel.ListenAnyIP(Port, configure);
        }
        else
        {
            kestrel.Listen(new IPEndPoint(Address, Port), configure);
        }
    }

    private static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;

    private static MailHostConfigurationException Error(string key, string problem, Exception? inner = null) =>
        inner is null
            ? new MailHostConfigurationException($"{key}: {problem}") { Key = key }
            : new MailHostConfigurationException($"{key}: {problem}", inner) { Key = key };
}
