using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailHost.Accounts;

/// <summary>
/// The rules and text forms of app passwords that the directories, the command line and the API share: names,
/// protocol lists (<c>imap,pop3,smtp</c>) and network lists (CIDR, IPv4 and IPv6).
/// </summary>
internal static class AppPasswordFormat
{
    /// <summary>The longest name, as for API keys.</summary>
    public const int MaxNameLength = ApiKeyTokens.MaxNameLength;

    /// <summary>The most networks one app password may list (a phone's home, office and carrier ranges fit many times).</summary>
    public const int MaxNetworks = 16;

    private const string ImapName = "imap";
    private const string Pop3Name = "pop3";
    private const string SmtpName = "smtp";

    /// <summary>Whether <paramref name="name"/> can name an app password: the rules of an API key's name.</summary>
    public static bool IsValidName([NotNullWhen(true)] string? name) => ApiKeyTokens.IsValidName(name);

    /// <summary>
    /// The flag of a login's protocol (the names <see cref="LoginRecord.Protocol"/> uses); <see cref="AppPasswordProtocols.None"/>
    /// for anything else, such as the administration console's <c>HTTP</c>.
    /// </summary>
    public static AppPasswordProtocols ProtocolOf(string? protocol) => protocol switch
    {
        "IMAP" => AppPasswordProtocols.Imap,
        "POP3" => AppPasswordProtocols.Pop3,
        "SMTP" => AppPasswordProtocols.Smtp,
        _ => AppPasswordProtocols.None,
    };

    /// <summary>The protocols as stored and shown: <c>imap,pop3,smtp</c> (those allowed, in that order), or <c>none</c>.</summary>
    public static string ProtocolsText(AppPasswordProtocols protocols)
    {
        var names = new List<string>(3);
        if (protocols.HasFlag(AppPasswordProtocols.Imap))
        {
            names.Add(ImapName);
        }

        if (protocols.HasFlag(AppPasswordProtocols.Pop3))
        {
            names.Add(Pop3Name);
        }

        if (protocols.HasFlag(AppPasswordProtocols.Smtp))
        {
            names.Add(SmtpName);
        }

        return names.Count == 0 ? "none" : string.Join(',', names);
    }

    /// <summary>
    /// Reads an operator's protocol list: names separated by commas (and optional spaces), in any case. Refuses an empty
    /// list and an unknown name, with the reason in <paramref name="error"/>.
    /// </summary>
    public static bool TryParseProtocols(string? text, out AppPasswordProtocols protocols, [NotNullWhen(false)] out string? error)
    {
        protocols = AppPasswordProtocols.None;
        error = null;
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            var flag = ProtocolFlag(part);
            if (flag == AppPasswordProtocols.None)
            {
                error = part.Length == 0
                    ? "the protocol list is empty or has an empty entry; use imap, pop3 and smtp separated by commas"
                    : $"unknown protocol {Sql.DirectoryText.Quote(part)}; use imap, pop3 and smtp separated by commas";
                return false;
            }

            protocols |= flag;
        }

        return true;
    }

    /// <summary>
    /// Reads a stored protocol list. A name this version does not know (written by a newer one) grants nothing, so what
    /// is read never allows more than what was written.
    /// </summary>
    public static AppPasswordProtocols ParseStoredProtocols(string text)
    {
        var protocols = AppPasswordProtocols.None;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            protocols |= ProtocolFlag(part);
        }

        return protocols;
    }

    /// <summary>
    /// Reads one network an operator gave: CIDR (<c>192.0.2.0/24</c>, <c>2001:db8::/32</c>) or a single address (a /32 or
    /// /128). An IPv4-mapped IPv6 form (<c>::ffff:192.0.2.0/120</c>) is kept as the IPv4 network it means. Refuses host
    /// bits beyond the prefix (<c>192.0.2.1/24</c>), which usually means a typing mistake, with the reason in <paramref name="error"/>.
    /// </summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        error = null;
        var trimmed = text?.Trim() ?? string.Empty;
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);

        // The parser may clear host bits by itself: an address that changed on the way had some set.
        if (slash > 0 && IPNetwork.TryParse(trimmed, out var parsed)
            && IPAddress.TryParse(trimmed.AsSpan(0, slash), out var given) && given.Equals(parsed.BaseAddress))
        {
            network = parsed;
        }
        else if (slash < 0 && IPAddress.TryParse(trimmed, out var single))
        {
            network = new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        else
        {
            error = $"{Sql.DirectoryText.Quote(trimmed)} is not a network; use CIDR such as 192.0.2.0/24 or 2001:db8::/48 (no bits set after the prefix), or one address";
            return false;
        }

        if (network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96)
        {
            network = new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96);
        }

        return true;
    }

    /// <summary>The networks as stored: canonical CIDR separated by spaces; <see langword="null"/> for none (any network).</summary>
    public static string? NetworksText(IReadOnlyList<IPNetwork> networks) =>
        networks.Count == 0 ? null : string.Join(' ', networks.Select(n => n.ToString()));

    /// <summary>
    /// Reads a stored network list. Fails on anything malformed rather than skipping it: a network left out could turn
    /// a restricted app password into one that works from anywhere.
    /// </summary>
    public static bool TryParseStoredNetworks(string? text, out IReadOnlyList<IPNetwork> networks)
    {
        networks = [];
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var list = new List<IPNetwork>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPNetwork.TryParse(part, out var network))
            {
                return false;
            }

            list.Add(network);
        }

        networks = list;
        return true;
    }

    /// <summary>
    /// Checks what a directory is asked to store; a request that breaks a rule is a programming error of the caller,
    /// which checks operator input first.
    /// </summary>
    /// <exception cref="ArgumentException">The name, protocols or networks are not acceptable, or the iteration count is below the minimum.</exception>
    public static void Validate(NewAppPassword appPassword, int iterations)
    {
        ArgumentNullException.ThrowIfNull(appPassword);
        if (!IsValidName(appPassword.Name))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"An app password's name has 1 to {MaxNameLength} printable characters."), nameof(appPassword));
        }

        if (appPassword.Protocols == AppPasswordProtocols.None || (appPassword.Protocols & ~AppPasswordProtocols.All) != 0)
        {
            throw new ArgumentException($"'{appPassword.Protocols}' is not a set of IMAP, POP3 and SMTP.", nameof(appPassword));
        }

        ArgumentNullException.ThrowIfNull(appPassword.Networks, nameof(appPassword));
        if (appPassword.Networks.Count > MaxNetworks)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"An app password lists at most {MaxNetworks} networks."), nameof(appPassword));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, PasswordRecord.MinimumIterations);
    }

    private static AppPasswordProtocols ProtocolFlag(string name) => name.ToLowerInvariant() switch
    {
        ImapName => AppPasswordProtocols.Imap,
        Pop3Name => AppPasswordProtocols.Pop3,
        SmtpName => AppPasswordProtocols.Smtp,
        _ => AppPasswordProtocols.None,
    };
}
