namespace MailHost.Logins;

/// <summary>
/// Per-account client policies, bound from <c>MailHost:Auth:ClientPolicies</c>: <see cref="Default"/> for every
/// account, then each matching rule of <see cref="Rules"/> in order, a later rule replacing a setting an earlier one
/// (or the default) set. Checked at start; the message of an error names its key.
/// </summary>
public sealed class ClientPolicyOptions
{
    /// <summary>The settings every account starts from.</summary>
    public ClientPolicySettings Default { get; set; } = new();

    /// <summary>The rules, applied in order over <see cref="Default"/>.</summary>
    public IList<ClientPolicyRule> Rules { get; } = [];
}
