namespace MailHost.Accounts;

/// <summary>What an API key may do.</summary>
public enum ApiKeyScope
{
    /// <summary>Read what the administration API shows; change nothing.</summary>
    ReadOnly,

    /// <summary>Everything the administration API offers, changes included.</summary>
    Full,
}
