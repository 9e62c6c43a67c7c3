using MailHost.Fuzz.Targets;

namespace MailHost.Fuzz;

/// <summary>
/// Every input surface with a harness, by name. Listing and finding a target runs no code of the assemblies under test:
/// their instrumentation writes to afl-fuzz's coverage map, which exists only once <c>Fuzzer.Run</c> has started.
/// </summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("imap-command", "IMAP command parser (literals, APPEND, AUTHENTICATE, IDLE)", ImapCommandTarget.Run),
        new("smtp-command", "SMTP command parser (AUTH answers, DATA, BDAT)", SmtpCommandTarget.Run),
        new("pop3-command", "POP3 command parser (AUTH answers)", Pop3CommandTarget.Run),
        new("sasl", "SASL mechanisms (PLAIN, LOGIN, SCRAM-SHA-256, OAUTHBEARER, XOAUTH2) and base64 framing", SaslTarget.Run),
        new("proxy", "PROXY protocol v1/v2 header", ProxyTarget.Run),
        new("tls-client-hello", "TLS ClientHello parser (SNI, ALPN, versions)", TlsClientHelloTarget.Run),
        new("modified-utf7", "Modified UTF-7 mailbox names (decode, encode)", ModifiedUtf7Target.Run),
        new("dot-unstuff", "SMTP DATA dot-unstuffing and end of data", DotUnstuffTarget.Run),
        new("mime-index", "MIME indexer (BODYSTRUCTURE, ENVELOPE, preview, search text) on whole messages", MimeIndexTarget.Run),
        new("mail-auth", "SPF, DKIM, DMARC records and headers, Authentication-Results", MailAuthenticationTarget.Run),
        new("imap-search", "IMAP SEARCH/SORT/THREAD criteria, parsed and run against an in-memory mailbox", ImapSearchTarget.Run),
        new("imap-session", "a whole IMAP session on an in-memory store", ImapSessionTarget.Run),
        new("smtp-session", "a whole SMTP (MX) session delivering to an in-memory store", SmtpSessionTarget.Run),
        new("pop3-session", "a whole POP3 session on an in-memory store", Pop3SessionTarget.Run),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
