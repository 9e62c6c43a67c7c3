namespace MailHost.Accounts;

/// <summary>One administrative change, as the audit log records it.</summary>
/// <param name="Time">When the change was made.</param>
/// <param name="Actor">Who made it: <c>cli:&lt;user&gt;</c> for the command line, an account name or <c>apikey:&lt;id&gt;</c> for the console and API.</param>
/// <param name="RemoteAddress">The client address of a change made over HTTP; <see langword="null"/> for the command line.</param>
/// <param name="Action">What was done, one of <see cref="AuditActions"/>.</param>
/// <param name="Target">What it was done to: an account, domain, alias, API key id or queue id.</param>
/// <param name="Detail">Anything else worth keeping (never password or key material); <see langword="null"/> for nothing.</param>
public sealed record AuditEntry(
    DateTimeOffset Time,
    string Actor,
    string? RemoteAddress,
    string Action,
    string Target,
    string? Detail);
