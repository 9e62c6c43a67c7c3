using System.Net;
using System.Text;

namespace MailHost.Logins;

/// <summary>
/// The effective client policy of one login: the default and every matching rule combined (<see cref="ClientPolicySet"/>).
/// </summary>
/// <param name="Rules">The rules that made it, in order; "Default" first when the default sets anything. Empty: no
/// policy applies.</param>
/// <param name="AllowedNetworks">The networks mail logins may come from; empty for any.</param>
/// <param name="Mechanisms">The mechanisms (canonical names, <see cref="ClientPolicySettings.PasswordCommand"/>
/// included) mail logins may use; empty for any.</param>
/// <param name="HiddenImapCapabilities">IMAP capabilities hidden after login (upper case).</param>
/// <param name="Pop3ReplaceNulBytes">Whether POP3 sends NUL bytes as spaces; null for the global setting.</param>
internal sealed record ClientPolicy(
    IReadOnlyList<string> Rules,
    IReadOnlyList<IPNetwork> AllowedNetworks,
    IReadOnlyList<string> Mechanisms,
    IReadOnlyList<string> HiddenImapCapabilities,
    bool? Pop3ReplaceNulBytes)
{
    /// <summary>No policy: everything the server offers.</summary>
    public static ClientPolicy None { get; } = new([], [], [], [], null);

    /// <summary>Whether a login from <paramref name="address"/> is allowed (an IPv4-mapped IPv6 address is its IPv4 one).</summary>
    public bool AllowsAddress(IPAddress? address) => AllowedNetworks.Count == 0 || ClientPolicySet.IsInside(address, AllowedNetworks);

    /// <summary>Whether a login with <paramref name="mechanism"/> (a SASL name or <see cref="ClientPolicySettings.PasswordCommand"/>) is allowed.</summary>
    public bool AllowsMechanism(string mechanism)
        => Mechanisms.Count == 0 || Mechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether <paramref name="capability"/> is hidden: named itself, or, for <c>name=value</c>, by its bare name
    /// (<c>THREAD</c> hides <c>THREAD=REFERENCES</c>, <c>APPENDLIMIT</c> hides <c>APPENDLIMIT=n</c>).
    /// </summary>
    public bool HidesImapCapability(string capability)
    {
        if (HiddenImapCapabilities.Count == 0)
        {
            return false;
        }

        var equals = capability.IndexOf('=', StringComparison.Ordinal);
        foreach (var hidden in HiddenImapCapabilities)
        {
            if (string.Equals(hidden, capability, StringComparison.OrdinalIgnoreCase)
                || (equals > 0 && string.Equals(hidden, capability[..equals], StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names of <see cref="Rules"/>, comma-separated, for the log.</summary>
    public string RulesText => string.Join(", ", Rules);

    /// <summary>The settings in one line, for the log: only those set.</summary>
    public string SettingsText => Describe();

    private string Describe()
    {
        var text = new StringBuilder();
        void Add(string name, string value) => text.Append(text.Length == 0 ? string.Empty : "; ").Append(name).Append(' ').Append(value);
        if (AllowedNetworks.Count > 0)
        {
            Add("AllowedNetworks", string.Join(", ", AllowedNetworks));
        }

        if (Mechanisms.Count > 0)
        {
            Add("Mechanisms", string.Join(", ", Mechanisms));
        }

        if (HiddenImapCapabilities.Count > 0)
        {
            Add("HideImapCapabilities", string.Join(", ", HiddenImapCapabilities));
        }

        if (Pop3ReplaceNulBytes is { } replace)
        {
            Add("Pop3ReplaceNulBytes", replace ? "true" : "false");
        }

        return text.Length == 0 ? "nothing" : text.ToString();
    }
}
