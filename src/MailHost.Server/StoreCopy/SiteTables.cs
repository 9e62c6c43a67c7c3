using static MailHost.Server.StoreCopy.ColumnKind;

namespace MailHost.Server.StoreCopy;

/// <summary>
/// The tables of a site that are copied row for row, in an order that satisfies their foreign keys. Content
/// (<c>contents</c> with its bytes, and the queue's content files) is copied apart, by <see cref="ContentCopier"/>.
/// Not copied: the SQLite search index (PostgreSQL fills its own search columns from the content), and retained
/// rows (expunged messages kept for open sessions: with the server stopped there are none to serve).
/// </summary>
internal static class SiteTables
{
    private const string Dir = "mailhost_directory.";

    /// <summary>The directory's tables, in the PostgreSQL schema of the directory.</summary>
    public static IReadOnlyList<CopyTable> Directory { get; } =
    [
        Table(SqliteSource.Directory, Dir + "domains", "id, name, created", [("id", Long), ("name", Text), ("created", Long)]),
        Table(SqliteSource.Directory, Dir + "accounts", "id, name, password, disabled, created, administrator, totp_secret, totp_last_step, require_app_passwords", [("id", Long), ("name", Text), ("password", Text), ("disabled", Bool), ("created", Long), ("administrator", Bool), ("totp_secret", Bytes), ("totp_last_step", Long), ("require_app_passwords", Bool)]),
        Table(SqliteSource.Directory, Dir + "addresses", "id, address, account_id, domain_id", [("id", Long), ("address", Text), ("account_id", Long), ("domain_id", Long)]),
        Table(SqliteSource.Directory, Dir + "aliases", "id, address, account_id, domain_id", [("id", Long), ("address", Text), ("account_id", Long), ("domain_id", Long)]),
        Table(SqliteSource.Directory, Dir + "app_passwords", "id, account_id, name, lookup_tag, password, protocols, networks, expires, created, last_used, last_remote, last_protocol, last_client", [("id", Text), ("account_id", Long), ("name", Text), ("lookup_tag", Bytes), ("password", Text), ("protocols", Text), ("networks", Text), ("expires", Long), ("created", Long), ("last_used", Long), ("last_remote", Text), ("last_protocol", Text), ("last_client", Text)]),
        Table(SqliteSource.Directory, Dir + "login_history", "id, account_id, time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome, app_password_id, app_password_name, token_issuer", [("id", Long), ("account_id", Long), ("time", Long), ("login", Text), ("protocol", Text), ("mechanism", Text), ("remote_endpoint", Text), ("tls", Bool), ("client_name", Text), ("outcome", Text), ("app_password_id", Text), ("app_password_name", Text), ("token_issuer", Text)]),
        Table(SqliteSource.Directory, Dir + "unresolved_logins", "id, account_name, time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome", [("id", Long), ("account_name", Text), ("time", Long), ("login", Text), ("protocol", Text), ("mechanism", Text), ("remote_endpoint", Text), ("tls", Bool), ("client_name", Text), ("outcome", Text)]),
        Table(SqliteSource.Directory, Dir + "server_secrets", "name, value", [("name", Text), ("value", Bytes)]),
        Table(SqliteSource.Directory, Dir + "removed_accounts", "name, removed", [("name", Text), ("removed", Long)]),
        Table(SqliteSource.Directory, Dir + "api_keys", "id, name, scope, secret_hash, created_by, created, last_used, revoked", [("id", Text), ("name", Text), ("scope", Text), ("secret_hash", Bytes), ("created_by", Text), ("created", Long), ("last_used", Long), ("revoked", Long)]),
        Table(SqliteSource.Directory, Dir + "audit_log", "id, time, actor, remote_address, action, target, detail", [("id", Long), ("time", Long), ("actor", Text), ("remote_address", Text), ("action", Text), ("target", Text), ("detail", Text)], "count(*), sum(id), sum(time)"),
    ];

    /// <summary>The mail store's tables before its content: accounts with quota, mailboxes, subscriptions, threads.</summary>
    public static IReadOnlyList<CopyTable> MailBeforeContent { get; } =
    [
        Table(SqliteSource.Mail, "accounts", "id, name, last_uidvalidity, storage_used, messages_used, quota_set, quota_storage, quota_messages", [("id", Long), ("name", Text), ("last_uidvalidity", Long), ("storage_used", Long), ("messages_used", Long), ("quota_set", Bool), ("quota_storage", Long), ("quota_messages", Long)], "count(*), sum(last_uidvalidity), sum(storage_used), sum(messages_used)"),
        Table(SqliteSource.Mail, "mailboxes", "id, account_id, name, uidvalidity, uidnext, highest_modseq, special_use, noselect, keywords, first_recent_uid", [("id", Long), ("account_id", Long), ("name", Text), ("uidvalidity", Long), ("uidnext", Long), ("highest_modseq", Long), ("special_use", Int), ("noselect", Bool), ("keywords", Keywords), ("first_recent_uid", Long)], "count(*), sum(uidvalidity), sum(uidnext), sum(highest_modseq), sum(special_use), sum(first_recent_uid)"),
        Table(SqliteSource.Mail, "subscriptions", "account_id, name", [("account_id", Long), ("name", Text)]),
        Table(SqliteSource.Mail, "threads", "account_id, message_id, thread_id", [("account_id", Long), ("message_id", Text), ("thread_id", Text)]),
    ];

    /// <summary>The mail store's tables that refer to content: messages (UIDs, flags, MODSEQs as they are) and expunge records.</summary>
    public static IReadOnlyList<CopyTable> MailAfterContent { get; } =
    [
        Table(SqliteSource.Mail, "messages", "mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size", [("mailbox_id", Long), ("uid", Long), ("content_id", Long), ("flags", Int), ("keywords", Keywords), ("modseq", Long), ("internal_date", Long), ("internal_offset", Int), ("save_date", Long), ("email_id", Text), ("thread_id", Text), ("size", Long)], "count(*), sum(uid), sum(modseq), sum(flags), sum(size), sum(internal_date), sum(content_id)"),
        Table(SqliteSource.Mail, "expunged", "mailbox_id, uid, modseq", [("mailbox_id", Long), ("uid", Long), ("modseq", Long)], "count(*), sum(uid), sum(modseq)"),
    ];

    /// <summary>
    /// The outbound queue and the DKIM keys. A lease is not copied: with the server stopped no delivery holds one,
    /// and a copied lease would only delay the next attempt.
    /// </summary>
    public static IReadOnlyList<CopyTable> Queue { get; } =
    [
        Table(SqliteSource.Queue, "queue_messages", "id, reverse_path, account, body, smtputf8, ret, envid, origin, size, created, expires, next_attempt, NULL, NULL, NULL", [("id", Text), ("reverse_path", Text), ("account", Text), ("body", Int), ("smtputf8", Bool), ("ret", Int), ("envid", Text), ("origin", Int), ("size", Long), ("created", Time), ("expires", Time), ("next_attempt", Time), ("lease_owner", Text), ("lease_token", Text), ("lease_until", Time)], "count(*), sum(size)"),
        Table(SqliteSource.Queue, "queue_recipients", "id, message_id, address, domain, notify, orcpt_type, orcpt, state, reported, attempts, next_attempt, last_attempt, last_reply, remote_mta", [("id", Long), ("message_id", Text), ("address", Text), ("domain", Text), ("notify", Int), ("orcpt_type", Text), ("orcpt", Text), ("state", Int), ("reported", Bool), ("attempts", Int), ("next_attempt", Time), ("last_attempt", Time), ("last_reply", Text), ("remote_mta", Text)], "count(*), sum(attempts), sum(state)"),
        Table(SqliteSource.Queue, "dkim_keys", "domain, selector, algorithm, private_key, created", [("domain", Text), ("selector", Text), ("algorithm", Text), ("private_key", Text), ("created", Time)]),
    ];

    /// <summary>Every table copied row for row.</summary>
    public static IEnumerable<CopyTable> All => Directory.Concat(MailBeforeContent).Concat(MailAfterContent).Concat(Queue);

    /// <summary>The tables whose id is an identity column, whose sequence must continue after the copied ids.</summary>
    public static IReadOnlyList<string> IdentityTables { get; } =
    [
        Dir + "domains", Dir + "accounts", Dir + "addresses", Dir + "aliases", Dir + "login_history", Dir + "unresolved_logins", Dir + "audit_log",
        "accounts", "mailboxes", "contents", "queue_recipients",
    ];

    /// <summary>Every table the copy empties before it writes (content rows and bytes stay, to be reused by address).</summary>
    public const string TruncateSql = $"""
        TRUNCATE {Dir}login_history, {Dir}unresolved_logins, {Dir}app_passwords, {Dir}addresses, {Dir}aliases, {Dir}accounts, {Dir}domains, {Dir}server_secrets, {Dir}removed_accounts, {Dir}api_keys, {Dir}audit_log;
        TRUNCATE messages, expunged, retained, threads, subscriptions, mailboxes, accounts;
        TRUNCATE queue_content, queue_recipients, queue_messages, dkim_keys;
        """;

    private static CopyTable Table(string store, string target, string columns, (string Name, ColumnKind Kind)[] targetColumns, string summary = "count(*)")
    {
        var source = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
        return new CopyTable(store, target, $"SELECT {columns} FROM {source}", [.. targetColumns.Select(c => new CopyColumn(c.Name, c.Kind))], SummaryOf(summary));
    }

    // "count(*), sum(x)" becomes one text value both databases compute alike, with 0 for the sum of no rows.
    private static string SummaryOf(string aggregates) =>
        string.Join(" || ':' || ", aggregates.Split(", ").Select(a => a.StartsWith("sum(", StringComparison.Ordinal) ? $"coalesce({a}, 0)" : a));
}
