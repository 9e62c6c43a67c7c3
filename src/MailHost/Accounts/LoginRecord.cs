using System.Net;

namespace MailHost.Accounts;

/// <summary>One login attempt, successful or not, as recorded in the account's login history.</summary>
/// <param name="Timestamp">When the attempt finished.</param>
/// <param name="AccountName">The resolved account, or <see langword="null"/> when the login matched none.</param>
/// <param name="Login">What the client typed as its login name (already length-checked; never a secret).</param>
/// <param name="Protocol">"IMAP", "POP3" or "SMTP".</param>
/// <param name="Mechanism">"LOGIN" (IMAP LOGIN), "USER" (POP3 USER/PASS) or the SASL mechanism name.</param>
/// <param name="RemoteEndPoint">The client's address as seen after any PROXY protocol header.</param>
/// <param name="Tls">Whether the connection was encrypted at the time.</param>
/// <param name="ClientName">The client's own name (IMAP ID, EHLO), when known.</param>
/// <param name="Outcome">What happened.</param>
public sealed record LoginRecord(
    DateTimeOffset Timestamp,
    string? AccountName,
    string Login,
    string Protocol,
    string Mechanism,
    IPEndPoint? RemoteEndPoint,
    bool Tls,
    string? ClientName,
    LoginOutcome Outcome)
{
    /// <summary>
    /// The most places in one account's history taken by attempts refused without a password check (see
    /// <see cref="IsUnchecked"/>); beyond it the oldest of them is dropped instead of the oldest record.
    /// </summary>
    public const int MaxUncheckedPerAccount = 10;

    /// <summary>The id of the app password the attempt used; <see langword="null"/> for the account's own password.</summary>
    public string? AppPasswordId { get; init; }

    /// <summary>The name of the app password the attempt used (the device it was made for); <see langword="null"/> for the account's own password.</summary>
    public string? AppPasswordName { get; init; }

    /// <summary>
    /// The configured issuer (<c>MailHost:Auth:OAuth</c>) that validated the attempt's bearer token (OAUTHBEARER,
    /// XOAUTH2); <see langword="null"/> for a password, and for a token no configured issuer accepted.
    /// </summary>
    public string? TokenIssuer { get; init; }

    /// <summary>
    /// Whether the attempt was refused without checking a password (<see cref="LoginOutcome.EmptyPassword"/>,
    /// <see cref="LoginOutcome.Throttled"/>): anyone can cause these in a loop, so they must not crowd out the rest.
    /// </summary>
    public bool IsUnchecked => Outcome is LoginOutcome.EmptyPassword or LoginOutcome.Throttled;
}
