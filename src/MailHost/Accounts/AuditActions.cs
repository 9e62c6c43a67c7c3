namespace MailHost.Accounts;

/// <summary>
/// The names of audited actions (<see cref="AuditEntry.Action"/>), shared by the command line, the console and the
/// HTTP API so that one log reads the same whoever made the change.
/// </summary>
public static class AuditActions
{
    /// <summary>An account was created.</summary>
    public const string AccountCreate = "account.create";

    /// <summary>An account's password was set.</summary>
    public const string AccountPassword = "account.password";

    /// <summary>An account was disabled.</summary>
    public const string AccountDisable = "account.disable";

    /// <summary>An account was enabled again.</summary>
    public const string AccountEnable = "account.enable";

    /// <summary>An account was removed with its mail.</summary>
    public const string AccountRemove = "account.remove";

    /// <summary>An account was given the administrator role.</summary>
    public const string AccountAdminGrant = "account.admin.grant";

    /// <summary>An account's administrator role was taken away.</summary>
    public const string AccountAdminRevoke = "account.admin.revoke";

    /// <summary>A TOTP second factor was set up for an account (or replaced).</summary>
    public const string AccountTotpEnable = "account.totp.enable";

    /// <summary>An account's TOTP second factor was turned off.</summary>
    public const string AccountTotpDisable = "account.totp.disable";

    /// <summary>An app password was created for an account (the target is the account; the detail names the app password).</summary>
    public const string AppPasswordCreate = "account.apppassword.create";

    /// <summary>An app password of an account was revoked (the target is the account; the detail names the app password).</summary>
    public const string AppPasswordRevoke = "account.apppassword.revoke";

    /// <summary>An account was made to refuse its own password for IMAP, POP3 and SMTP: app passwords only.</summary>
    public const string AppPasswordsRequire = "account.apppasswords.require";

    /// <summary>An account accepts its own password for IMAP, POP3 and SMTP again.</summary>
    public const string AppPasswordsOptional = "account.apppasswords.optional";

    /// <summary>A local domain was added.</summary>
    public const string DomainCreate = "domain.create";

    /// <summary>A local domain was removed.</summary>
    public const string DomainRemove = "domain.remove";

    /// <summary>An alias was added.</summary>
    public const string AliasCreate = "alias.create";

    /// <summary>An alias was removed.</summary>
    public const string AliasRemove = "alias.remove";

    /// <summary>An API key was created.</summary>
    public const string ApiKeyCreate = "apikey.create";

    /// <summary>An API key was revoked.</summary>
    public const string ApiKeyRevoke = "apikey.revoke";

    /// <summary>Queued outbound messages were made due now.</summary>
    public const string QueueRetry = "queue.retry";

    /// <summary>A queued outbound message was dropped.</summary>
    public const string QueueRemove = "queue.remove";

    /// <summary>An account's quota limits were set, or returned to the store's defaults.</summary>
    public const string AccountQuota = "account.quota";

    /// <summary>A domain's first DKIM key was created.</summary>
    public const string DkimCreate = "dkim.create";

    /// <summary>A domain's DKIM key was replaced by a new one.</summary>
    public const string DkimRotate = "dkim.rotate";

    /// <summary>An operator started a live protocol trace of an account or a client address.</summary>
    public const string TraceStart = "trace.start";

    /// <summary>An operator stopped a live protocol trace before its time ran out.</summary>
    public const string TraceStop = "trace.stop";

    /// <summary>A quarantined message delivered to its original local recipients.</summary>
    public const string QuarantineRelease = "quarantine.release";

    /// <summary>A quarantined message removed without delivery.</summary>
    public const string QuarantineDelete = "quarantine.delete";
}
