using System.Globalization;
using System.Net;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.Protocols.Sasl;

namespace MailHost.Logins;

/// <summary>
/// <see cref="ClientPolicyOptions"/> checked and ready to match: an account's effective policy from the account, the
/// app password used (if any) and the client address. Matching never looks at what the client says of itself
/// (RFC 2971 §3.1 forbids changing behaviour on IMAP <c>ID</c>).
/// </summary>
internal sealed class ClientPolicySet
{
    /// <summary>The configuration section of the policies.</summary>
    public const string SectionName = AuthenticationOptions.SectionName + ":ClientPolicies";

    /// <summary>The rule name the default is shown under.</summary>
    public const string DefaultName = "Default";

    // RFC 9051 §7.2.2: these name the protocol itself; a client without them cannot speak IMAP to us at all.
    // The rest are shown only before login, where policies do not apply (the account is not known yet).
    private static readonly string[] Unhideable = ["IMAP4", "IMAP4REV1", "IMAP4REV2", "STARTTLS", "LOGINDISABLED", "SASL-IR"];

    private static readonly string[] KnownMechanisms = [.. SaslMechanismNames.All, ClientPolicySettings.PasswordCommand];

    private readonly Settings _default;
    private readonly Rule[] _rules;

    /// <summary>Checks <paramref name="options"/>.</summary>
    /// <exception cref="MailHostConfigurationException">A value is wrong; the exception's key names it.</exception>
    public ClientPolicySet(ClientPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _default = ReadSettings(options.Default ?? new ClientPolicySettings(), SectionName + ":Default");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var rules = new List<Rule>();
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{SectionName}:Rules:{i}");
            var rule = options.Rules[i] ?? throw MailHostConfigurationException.For(key, "is empty; give a Name, a match and a setting.");
            var name = rule.Name?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw MailHostConfigurationException.For(key + ":Name", "is required: it names the rule in the log and in 'mailhost users policy'.");
            }

            if (!names.Add(name) || string.Equals(name, DefaultName, StringComparison.OrdinalIgnoreCase))
            {
                throw MailHostConfigurationException.For(key + ":Name", $"'{name}' is used twice (or is the name of the default); give each rule its own name.");
            }

            var accounts = Trimmed(rule.Accounts);
            var appPasswords = Trimmed(rule.AppPasswords);
            var networks = ReadNetworks(rule.Networks, key + ":Networks");
            if (accounts.Length == 0 && appPasswords.Length == 0 && networks.Length == 0)
            {
                throw MailHostConfigurationException.For(key, $"rule '{name}' matches nothing: give Accounts, AppPasswords or Networks (an empty match would apply to everyone; use Default for that).");
            }

            var settings = ReadSettings(rule, key);
            if (settings.IsEmpty)
            {
                throw MailHostConfigurationException.For(key, $"rule '{name}' sets nothing: give AllowedNetworks, Mechanisms, HideImapCapabilities or Pop3ReplaceNulBytes.");
            }

            rules.Add(new Rule(name, accounts, appPasswords, networks, settings));
        }

        _rules = [.. rules];
    }

    /// <summary>
    /// The policy of a login of <paramref name="account"/> from <paramref name="address"/>, with
    /// <paramref name="appPassword"/> when it used one.
    /// </summary>
    public ClientPolicy Resolve(string account, AppPasswordInfo? appPassword, IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(account);
        var made = new List<string>();
        var networks = _default.AllowedNetworks;
        var mechanisms = _default.Mechanisms;
        var hidden = _default.HiddenImapCapabilities;
        var replaceNul = _default.Pop3ReplaceNulBytes;
        if (!_default.IsEmpty)
        {
            made.Add(DefaultName);
        }

        foreach (var rule in _rules)
        {
            if (!rule.Matches(account, appPassword, address))
            {
                continue;
            }

            // A later rule replaces what it sets; the rest stands.
            made.Add(rule.Name);
            var settings = rule.Settings;
            networks = settings.AllowedNetworks.Length > 0 ? settings.AllowedNetworks : networks;
            mechanisms = settings.Mechanisms.Length > 0 ? settings.Mechanisms : mechanisms;
            hidden = settings.HiddenImapCapabilities.Length > 0 ? settings.HiddenImapCapabilities : hidden;
            replaceNul = settings.Pop3ReplaceNulBytes ?? replaceNul;
        }

        return made.Count == 0 ? ClientPolicy.None : new ClientPolicy(made, networks, mechanisms, hidden, replaceNul);
    }

    /// <summary>Whether <paramref name="address"/> is inside one of <paramref name="networks"/>; an unknown address is in none.</summary>
    internal static bool IsInside(IPAddress? address, IReadOnlyList<IPNetwork> networks)
    {
        if (address is null)
        {
            return false;
        }

        var mapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in networks)
        {
            if (network.Contains(mapped))
            {
                return true;
            }
        }

        return false;
    }

    private static Settings ReadSettings(ClientPolicySettings settings, string key)
    {
        var mechanisms = new List<string>();
        for (var i = 0; i < settings.Mechanisms.Count; i++)
        {
            var name = settings.Mechanisms[i]?.Trim();
            var canonical = KnownMechanisms.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
                ?? throw MailHostConfigurationException.For(
                    string.Create(CultureInfo.InvariantCulture, $"{key}:Mechanisms:{i}"),
                    $"'{name}' is not a mechanism; use {string.Join(", ", KnownMechanisms)} ({ClientPolicySettings.PasswordCommand} is IMAP LOGIN and POP3 USER/PASS).");
            if (!mechanisms.Contains(canonical))
            {
                mechanisms.Add(canonical);
            }
        }

        var hidden = new List<string>();
        for (var i = 0; i < settings.HideImapCapabilities.Count; i++)
        {
            var itemKey = string.Create(CultureInfo.InvariantCulture, $"{key}:HideImapCapabilities:{i}");
            var name = settings.HideImapCapabilities[i]?.Trim().ToUpperInvariant() ?? string.Empty;
            if (name.Length == 0 || !name.All(IsCapabilityChar))
            {
                throw MailHostConfigurationException.For(itemKey, $"'{name}' is not an IMAP capability name such as IDLE or COMPRESS=DEFLATE.");
            }

            if (Unhideable.Contains(name) || name.StartsWith("AUTH=", StringComparison.Ordinal) || name == "AUTH")
            {
                throw MailHostConfigurationException.For(itemKey, $"{name} cannot be hidden: IMAP4rev1 and IMAP4rev2 name the protocol itself, and AUTH=, STARTTLS, LOGINDISABLED and SASL-IR are shown only before login, where no account's policy applies.");
            }

            if (!hidden.Contains(name))
            {
                hidden.Add(name);
            }
        }

        return new Settings(ReadNetworks(settings.AllowedNetworks, key + ":AllowedNetworks"), [.. mechanisms], [.. hidden], settings.Pop3ReplaceNulBytes);
    }

    // RFC 9051 §9: a capability is an atom (with '=' for the forms that carry a value).
    private static bool IsCapabilityChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '=' or '+' or '.' or '_' or '/';

    private static IPNetwork[] ReadNetworks(IList<string> texts, string key)
    {
        var networks = new IPNetwork[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            if (!AppPasswordFormat.TryParseNetwork(texts[i], out networks[i], out var error))
            {
                throw MailHostConfigurationException.For(string.Create(CultureInfo.InvariantCulture, $"{key}:{i}"), error + ".");
            }
        }

        return networks;
    }

    private static string[] Trimmed(IList<string> values) =>
        [.. values.Select(value => value?.Trim() ?? string.Empty).Where(value => value.Length > 0)];

    private sealed record Settings(IPNetwork[] AllowedNetworks, string[] Mechanisms, string[] HiddenImapCapabilities, bool? Pop3ReplaceNulBytes)
    {
        public bool IsEmpty => AllowedNetworks.Length == 0 && Mechanisms.Length == 0 && HiddenImapCapabilities.Length == 0 && Pop3ReplaceNulBytes is null;
    }

    private sealed record Rule(string Name, string[] Accounts, string[] AppPasswords, IPNetwork[] Networks, Settings Settings)
    {
        public bool Matches(string account, AppPasswordInfo? appPassword, IPAddress? address)
            => (Accounts.Length == 0 || Accounts.Contains(account, StringComparer.OrdinalIgnoreCase))
                && (AppPasswords.Length == 0
                    || (appPassword is not null && AppPasswords.Any(name => string.Equals(name, appPassword.Name, StringComparison.OrdinalIgnoreCase)
                        || string.Equals(name, appPassword.Id, StringComparison.OrdinalIgnoreCase))))
                && (Networks.Length == 0 || IsInside(address, Networks));
    }
}
