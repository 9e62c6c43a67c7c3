using System.Globalization;
using System.Net;
using MailHost.Delivery.Transport;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace MailHost.Delivery;

/// <summary>
/// Reads and checks <c>MailHost:Outbound</c> (<see cref="OutboundDeliveryOptions"/>). Every error names its key, what
/// is wrong and the fix, so that a host can refuse to start with a message the operator can act on, instead of a
/// route that silently falls back to MX or a smart host that is never used.
/// </summary>
internal static class OutboundDeliveryConfigurationReader
{
    private static readonly string[] TimeSpanKeys =
    [
        nameof(OutboundDeliveryOptions.MaxAge),
        nameof(OutboundDeliveryOptions.RetryInitialDelay),
        nameof(OutboundDeliveryOptions.RetryMaxDelay),
        nameof(OutboundDeliveryOptions.LeaseDuration),
        nameof(OutboundDeliveryOptions.ConnectionIdleTimeout),
        nameof(OutboundDeliveryOptions.CommandTimeout),
        nameof(OutboundDeliveryOptions.PollInterval),
    ];

    private static readonly string[] IntegerKeys =
    [
        nameof(OutboundDeliveryOptions.MaxConcurrentMessages),
        nameof(OutboundDeliveryOptions.MaxConnectionsPerDestination),
        nameof(OutboundDeliveryOptions.MaxRecipientsPerTransaction),
        nameof(OutboundDeliveryOptions.MxPort),
    ];

    /// <summary>Reads the options from <paramref name="section"/> (normally <c>MailHost:Outbound</c>) and checks them with <see cref="Validate"/>.</summary>
    /// <exception cref="MailHostConfigurationException">A value cannot be read or is not usable.</exception>
    public static OutboundDeliveryOptions Read(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);

        // Checked one by one first: the binder's own error would name the type, not the fix.
        foreach (var key in TimeSpanKeys)
        {
            CheckScalar(section, key, text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _), "a time span such as 00:05:00 (hh:mm:ss) or 5.00:00:00 (days)");
        }

        foreach (var key in IntegerKeys)
        {
            CheckScalar(section, key, text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), "a whole number");
        }

        CheckScalar(section, nameof(OutboundDeliveryOptions.DkimSign), text => bool.TryParse(text, out _), "true or false");
        var smartHost = section.GetSection(nameof(OutboundDeliveryOptions.SmartHost));
        CheckScalar(smartHost, nameof(OutboundSmartHostOptions.Port), text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), "a whole number");
        CheckScalar(smartHost, nameof(OutboundSmartHostOptions.Tls), text => Enum.TryParse<OutboundTlsMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _), "one of StartTls, Implicit, Opportunistic or None");

        var options = new OutboundDeliveryOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw MailHostConfigurationException.For(section.Path, ex.Message, ex);
        }

        Validate(options, section.Path);
        return options;
    }

    /// <summary>Checks options however they were set; keys in messages start with <paramref name="sectionPath"/>.</summary>
    /// <exception cref="MailHostConfigurationException">A value is not usable.</exception>
    public static void Validate(OutboundDeliveryOptions options, string sectionPath = OutboundDeliveryOptions.SectionName)
    {
        if (FindProblem(options, sectionPath) is { } problem)
        {
            throw MailHostConfigurationException.For(problem.Key, problem.Problem);
        }
    }

    /// <summary>The first unusable value, or <see langword="null"/> when the options can be used.</summary>
    internal static (string Key, string Problem)? FindProblem(OutboundDeliveryOptions options, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        string Key(string name) => sectionPath + ":" + name;

        if (options.Hostname is { } hostname && (hostname.Length == 0 || hostname.Any(c => c is <= ' ' or > '~')))
        {
            return (Key(nameof(options.Hostname)), $"'{hostname}' is not a host name. Give the name this server uses in EHLO, e.g. mail.example.com, or remove the key to use MailHost:Hostname.");
        }

        foreach (var (name, value, zeroAllowed) in new (string, TimeSpan, bool)[]
        {
            (nameof(options.MaxAge), options.MaxAge, false),
            (nameof(options.RetryInitialDelay), options.RetryInitialDelay, false),
            (nameof(options.RetryMaxDelay), options.RetryMaxDelay, false),
            (nameof(options.LeaseDuration), options.LeaseDuration, false),
            (nameof(options.ConnectionIdleTimeout), options.ConnectionIdleTimeout, true),
            (nameof(options.CommandTimeout), options.CommandTimeout, false),
            (nameof(options.PollInterval), options.PollInterval, false),
        })
        {
            if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !zeroAllowed))
            {
                return (Key(name), $"{value} must be {(zeroAllowed ? "zero or more" : "more than zero")}.");
            }
        }

        if (options.RetryMaxDelay < options.RetryInitialDelay)
        {
            return (Key(nameof(options.RetryMaxDelay)), $"{options.RetryMaxDelay} is shorter than RetryInitialDelay ({options.RetryInitialDelay}); make it at least as long.");
        }

        // A lease that can end during one SMTP command lets a second worker deliver the same message again.
        if (options.LeaseDuration <= options.CommandTimeout)
        {
            return (Key(nameof(options.LeaseDuration)), $"{options.LeaseDuration} must be longer than CommandTimeout ({options.CommandTimeout}), or another worker may take over a message still being sent.");
        }

        foreach (var (name, value) in new (string, int)[]
        {
            (nameof(options.MaxConcurrentMessages), options.MaxConcurrentMessages),
            (nameof(options.MaxConnectionsPerDestination), options.MaxConnectionsPerDestination),
            (nameof(options.MaxRecipientsPerTransaction), options.MaxRecipientsPerTransaction),
        })
        {
            if (value < 1)
            {
                return (Key(name), $"{value} must be at least 1.");
            }
        }

        if (options.MxPort is < 1 or > 65535)
        {
            return (Key(nameof(options.MxPort)), $"{options.MxPort} is not a port; use 1 to 65535 (25 for real MX delivery).");
        }

        foreach (var (domain, route) in options.Routes)
        {
            if (string.IsNullOrWhiteSpace(domain) || domain.Any(c => c is <= ' ' or > '~'))
            {
                return (Key(nameof(options.Routes)), $"'{domain}' is not a domain; each key under Routes is a recipient domain such as example.net.");
            }

            if (route is null || !OutboundRouter.TryParseRoute(route, options.MxPort, out _))
            {
                return (Key(nameof(options.Routes)) + ":" + domain, $"'{route}' is not a route. Use host, host:port, [address] or [address]:port with a port from 1 to 65535, e.g. mx.example.net:2525 or [192.0.2.10]:25.");
            }
        }

        if (options.SmartHost is { } smart)
        {
            return SmartHostProblem(smart, Key(nameof(options.SmartHost)));
        }

        return null;
    }

    private static (string Key, string Problem)? SmartHostProblem(OutboundSmartHostOptions smart, string path)
    {
        string Key(string name) => path + ":" + name;
        if (string.IsNullOrWhiteSpace(smart.Host))
        {
            return (Key(nameof(smart.Host)), "missing. Give the relay's host name or address (e.g. smtp.provider.example), or remove the SmartHost section to deliver through MX records.");
        }

        var host = smart.Host.Trim();
        if (host.Any(c => c is <= ' ' or > '~') || (host.Contains(':', StringComparison.Ordinal) && !IPAddress.TryParse(host.Trim('[', ']'), out _)))
        {
            return (Key(nameof(smart.Host)), $"'{smart.Host}' is not a host name or address; give the port under SmartHost:Port, not in Host.");
        }

        if (smart.Port is < 1 or > 65535)
        {
            return (Key(nameof(smart.Port)), $"{smart.Port} is not a port; use 1 to 65535 (587 for submission with STARTTLS, 465 for implicit TLS).");
        }

        if (!Enum.IsDefined(smart.Tls))
        {
            return (Key(nameof(smart.Tls)), $"'{smart.Tls}' is not a TLS mode; use StartTls, Implicit, Opportunistic or None.");
        }

        var hasUser = !string.IsNullOrEmpty(smart.Username);
        var hasPassword = !string.IsNullOrEmpty(smart.Password);
        if (hasUser && !hasPassword)
        {
            return (Key(nameof(smart.Password)), "missing; a Username needs a Password.");
        }

        if (hasPassword && !hasUser)
        {
            return (Key(nameof(smart.Username)), "missing; the Password is only sent with a Username.");
        }

        // Credentials never travel in plain text: Opportunistic falls back to plain text when STARTTLS is not offered.
        if (hasUser && smart.Tls is OutboundTlsMode.None or OutboundTlsMode.Opportunistic)
        {
            return (Key(nameof(smart.Tls)), $"{smart.Tls} could send the password in plain text; use StartTls or Implicit with a Username.");
        }

        if (smart.CertificateFingerprint is { } fingerprint
            && (fingerprint.Replace(":", string.Empty, StringComparison.Ordinal) is var hex && (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))))
        {
            return (Key(nameof(smart.CertificateFingerprint)), "must be the certificate's SHA-256 fingerprint: 64 hexadecimal digits, optionally separated by colons.");
        }

        return null;
    }

    private static void CheckScalar(IConfigurationSection section, string key, Func<string, bool> parses, string expected)
    {
        var text = section[key];
        if (text is not null && !parses(text.Trim()))
        {
            throw MailHostConfigurationException.For(section.Path + ":" + key, $"'{text}' is not {expected}.");
        }
    }
}
