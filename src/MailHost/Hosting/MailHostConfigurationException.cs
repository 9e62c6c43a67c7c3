namespace MailHost.Hosting;

/// <summary>
/// A configuration value MailHost cannot use. The message names the key, what is wrong and how to fix it,
/// and is meant to be shown to the operator as it is.
/// </summary>
public sealed class MailHostConfigurationException : Exception
{
    public MailHostConfigurationException()
    {
    }

    public MailHostConfigurationException(string message)
        : base(message)
    {
    }

    public MailHostConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The configuration key at fault, e.g. <c>MailHost:Endpoints:Imap:Url</c>.</summary>
    public string? Key { get; init; }

    internal static MailHostConfigurationException For(string key, string problem, Exception? inner = null)
        => inner is null
            ? new MailHostConfigurationException($"{key}: {problem}") { Key = key }
            : new MailHostConfigurationException($"{key}: {problem}", inner) { Key = key };
}
