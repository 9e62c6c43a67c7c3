namespace MailHost.Server.Onboarding;

/// <summary>What a client is told to log in with.</summary>
internal enum LoginNameForm
{
    /// <summary>The whole address (<c>alice@example.com</c>).</summary>
    EmailAddress,

    /// <summary>The address's local part (<c>alice</c>), taken as the account name.</summary>
    LocalPart,
}
