using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace MailHost.Hosting;

/// <summary>
/// Reads <c>MailHost:Endpoints</c>: one child per endpoint, named freely (as in Kestrel's <c>Endpoints</c>), each with
/// a <c>Url</c> whose scheme names the protocol (imap, imaps, pop3, pop3s, smtp, submission, submissions), an optional
/// <c>Tls</c> mode and <c>Enabled</c> flag, and optional limits and network policy. Every error names its key and the fix.
/// </summary>
internal static class MailEndpointConfigurationReader
{
    /// <summary>Reads and validates every endpoint under <paramref name="endpoints"/>.</summary>
    /// <exception cref="MailHostConfigurationException">A value is missing or invalid.</exception>
    public static IReadOnlyList<MailEndpointDefinition> Read(IConfigurationSection endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var result = new List<MailEndpointDefinition>();
        foreach (var section in endpoints.GetChildren())
        {
            result.Add(ReadOne(section));
        }

        return result;
    }

    private static MailEndpointDefinition ReadOne(IConfigurationSection section)
    {
        var name = section.Key;
        var key = section.Path;
        var url = section["Url"];
        if (string.IsNullOrWhiteSpace(url))
        {
            throw MailHostConfigurationException.For(key + ":Url", "missing. Give a URL such as imap://*:143 (schemes: imap, imaps, pop3, pop3s, smtp, submission, submissions).");
        }

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? url[..schemeEnd].ToLowerInvariant() : "";
        (MailProtocol Protocol, bool Implicit, int DefaultPort)? known = scheme switch
        {
            "imap" => (MailProtocol.Imap, false, 143),
            "imaps" => (MailProtocol.Imap, true, 993),
            "pop3" => (MailProtocol.Pop3, false, 110),
            "pop3s" => (MailProtocol.Pop3, true, 995),
            "smtp" => (MailProtocol.Smtp, false, 25),
            "submission" => (MailProtocol.Submission, false, 587),
            "submissions" => (MailProtocol.Submission, true, 465),
            _ => null,
        };
        if (known is null)
        {
            throw MailHostConfigurationException.For(key + ":Url", $"'{url}' has an unknown scheme. Use one of imap, imaps, pop3, pop3s, smtp, submission, submissions, e.g. imap://*:143.");
        }

        var (address, isLocalhost, port) = ParseHostAndPort(url[(schemeEnd + 3)..].TrimEnd('/'), known.Value.DefaultPort, key + ":Url", url);
        var options = new MailEndpointOptions
        {
            Name = name,
            Protocol = known.Value.Protocol,
            Tls = known.Value.Implicit ? MailTlsMode.Implicit : MailTlsMode.StartTls,
        };

        var tls = section["Tls"];
        if (!string.IsNullOrWhiteSpace(tls))
        {
            if (!Enum.TryParse<MailTlsMode>(tls, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
            {
                throw MailHostConfigurationException.For(key + ":Tls", $"'{tls}' is not a TLS mode. Use None, StartTls, Implicit or Auto.");
            }

            if (known.Value.Implicit && mode != MailTlsMode.Implicit)
            {
                throw MailHostConfigurationException.For(key + ":Tls", $"the scheme '{scheme}' means implicit TLS; remove Tls or use the scheme without 's' for {mode}.");
            }

            options.Tls = mode;
        }

        options.ProxyProtocol = ReadBool(section, "ProxyProtocol", false);
        AddNetworks(section, "TrustedProxies", options.TrustedProxies);
        AddNetworks(section, "Allow", options.AllowedNetworks);
        AddNetworks(section, "Deny", options.DeniedNetworks);
        if (options.ProxyProtocol && options.TrustedProxies.Count == 0)
        {
            throw MailHostConfigurationException.For(key + ":TrustedProxies", "ProxyProtocol is on but no trusted proxy network is listed. Add the proxies' addresses, e.g. [\"10.0.0.5/32\"].");
        }

        options.AllowPlaintextAuthentication = string.IsNullOrWhiteSpace(section["AllowPlaintextAuthentication"])
            ? null
            : ReadBool(section, "AllowPlaintextAuthentication", false);
        options.MaxConnections = ReadInt(section, "MaxConnections", options.MaxConnections);
        options.MaxConnectionsPerAddress = ReadInt(section, "MaxConnectionsPerAddress", options.MaxConnectionsPerAddress);
        options.SendBufferSize = ReadInt(section, "SendBufferSize", options.SendBufferSize);
        options.MaxPendingTlsHandshakes = ReadInt(section, "MaxPendingTlsHandshakes", options.MaxPendingTlsHandshakes);
        options.MaxPendingTlsHandshakesPerAddress = ReadInt(section, "MaxPendingTlsHandshakesPerAddress", options.MaxPendingTlsHandshakesPerAddress);
        options.TlsDetectionTimeout = ReadTime(section, "TlsDetectionTimeout", options.TlsDetectionTimeout);
        options.TlsHandshakeTimeout = ReadTime(section, "TlsHandshakeTimeout", options.TlsHandshakeTimeout);
        options.TlsClientHelloTimeout = ReadTime(section, "TlsClientHelloTimeout", options.TlsClientHelloTimeout);
        options.PreAuthenticationIdleTimeout = ReadTime(section, "PreAuthenticationIdleTimeout", options.PreAuthenticationIdleTimeout);
        options.ProxyHeaderTimeout = ReadTime(section, "ProxyHeaderTimeout", options.ProxyHeaderTimeout);

        return new MailEndpointDefinition(name, url, address, isLocalhost, port, ReadBool(section, "Enabled", true), options);
    }

    private static (IPAddress? Address, bool IsLocalhost, int Port) ParseHostAndPort(string authority, int defaultPort, string key, string url)
    {
        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw MailHostConfigurationException.For(key, $"'{url}' has an unterminated IPv6 address.");
            }

            host = authority[1..close];
            if (close + 1 < authority.Length)
            {
                if (authority[close + 1] != ':')
                {
                    throw MailHostConfigurationException.For(key, $"'{url}' is not host:port.");
                }

                portText = authority[(close + 2)..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon >= 0 ? authority[..colon] : authority;
            portText = colon >= 0 ? authority[(colon + 1)..] : null;
        }

        var port = defaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535))
        {
            throw MailHostConfigurationException.For(key, $"'{url}' has an invalid port '{portText}' (0-65535; 0 picks a free port).");
        }

        if (host is "*" or "+" or "")
        {
            return (null, false, port);
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return (null, true, port);
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return (address, false, port);
        }

        throw MailHostConfigurationException.For(key, $"'{url}': the host '{host}' must be *, localhost or an IP address (MailHost binds addresses, not names).");
    }

    private static void AddNetworks(IConfigurationSection section, string name, IList<IPNetwork> target)
    {
        var child = section.GetSection(name);
        var values = child.GetChildren().Select(c => (c.Path, c.Value)).ToList();
        if (values.Count == 0 && !string.IsNullOrWhiteSpace(child.Value))
        {
            values = child.Value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries).Select(v => (child.Path, (string?)v)).ToList();
        }

        foreach (var (path, value) in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            target.Add(ParseNetwork(value.Trim(), path));
        }
    }

    /// <summary>A CIDR range (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or a single address.</summary>
    internal static IPNetwork ParseNetwork(string value, string key)
    {
        if (IPNetwork.TryParse(value, out var network))
        {
            return network;
        }

        if (IPAddress.TryParse(value, out var single))
        {
            return new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        throw MailHostConfigurationException.For(key, $"'{value}' is not a network. Use CIDR notation such as 192.0.2.0/24 or an address.");
    }

    private static bool ReadBool(IConfigurationSection section, string name, bool fallback)
    {
        var value = section[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        return bool.TryParse(value, out var result)
            ? result
            : throw MailHostConfigurationException.For(section.Path + ":" + name, $"'{value}' is not true or false.");
    }

    private static int ReadInt(IConfigurationSection section, string name, int fallback)
    {
        var value = section[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw MailHostConfigurationException.For(section.Path + ":" + name, $"'{value}' is not a non-negative whole number.");
    }

    private static TimeSpan ReadTime(IConfigurationSection section, string name, TimeSpan fallback)
    {
        var value = section[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var result) && result > TimeSpan.Zero
            ? result
            : throw MailHostConfigurationException.For(section.Path + ":" + name, $"'{value}' is not a positive time span (hh:mm:ss, e.g. 00:00:01.5).");
    }
}
