namespace MailHost.Logins;

/// <summary>Which login names the built-in <see cref="DirectoryAuthIdentityResolver"/> accepts.</summary>
public enum LoginIdentityMode
{
    /// <summary>Only account names (<c>alice</c>); a login containing <c>@</c> is refused.</summary>
    AccountName,

    /// <summary>Only e-mail addresses (<c>alice@example.com</c>, including aliases); a bare name is refused.</summary>
    EmailAddress,

    /// <summary>Either: a login containing <c>@</c> is an address, anything else an account name. The default.</summary>
    AccountNameOrEmailAddress,
}
