namespace MailHost.Storage.Sqlite.Accounts;

/// <summary>
/// The schema of <c>directory.db</c> as numbered, forward-only migrations: entry <c>i</c> brings the database from
/// <c>user_version</c> <c>i</c> to <c>i + 1</c>. Never edit a released entry; append a new one.
/// </summary>
/// <remarks>
/// Names and addresses are stored in canonical form and compared with SQLite's default BINARY collation. Times are
/// Unix milliseconds (UTC). The statements use <c>IF NOT EXISTS</c> so that two processes migrating a new database
/// at the same moment cannot fail on each other's tables.
/// </remarks>
internal static class SqliteAccountDirectorySchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: domains, accounts, addresses, aliases.
        """
        CREATE TABLE IF NOT EXISTS domains (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS accounts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            password TEXT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS addresses (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL UNIQUE,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            domain_id INTEGER NOT NULL REFERENCES domains (id)
        );
        CREATE INDEX IF NOT EXISTS addresses_account ON addresses (account_id);
        CREATE INDEX IF NOT EXISTS addresses_domain ON addresses (domain_id);
        CREATE TABLE IF NOT EXISTS aliases (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL UNIQUE,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            domain_id INTEGER NOT NULL REFERENCES domains (id)
        );
        CREATE INDEX IF NOT EXISTS aliases_account ON aliases (account_id);
        CREATE INDEX IF NOT EXISTS aliases_domain ON aliases (domain_id);
        -- An address belongs to one account, as an address or as an alias: enforced here as well as in code.
        CREATE TRIGGER IF NOT EXISTS addresses_not_alias BEFORE INSERT ON addresses
        WHEN EXISTS (SELECT 1 FROM aliases WHERE address = NEW.address)
        BEGIN SELECT RAISE(ABORT, 'address is already an alias'); END;
        CREATE TRIGGER IF NOT EXISTS aliases_not_address BEFORE INSERT ON aliases
        WHEN EXISTS (SELECT 1 FROM addresses WHERE address = NEW.address)
        BEGIN SELECT RAISE(ABORT, 'alias is already an address'); END;
        """,

        // 2: login history, bounded per account, and a global bounded history of logins that matched no account.
        """
        CREATE TABLE IF NOT EXISTS login_history (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            time INTEGER NOT NULL,
            login TEXT NOT NULL,
            protocol TEXT NOT NULL,
            mechanism TEXT NOT NULL,
            remote_endpoint TEXT NULL,
            tls INTEGER NOT NULL,
            client_name TEXT NULL,
            outcome TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS login_history_account ON login_history (account_id, id);
        CREATE TABLE IF NOT EXISTS unresolved_logins (
            id INTEGER PRIMARY KEY,
            account_name TEXT NULL,
            time INTEGER NOT NULL,
            login TEXT NOT NULL,
            protocol TEXT NOT NULL,
            mechanism TEXT NOT NULL,
            remote_endpoint TEXT NULL,
            tls INTEGER NOT NULL,
            client_name TEXT NULL,
            outcome TEXT NOT NULL
        );
        """,

        // 3: secrets the hosts sharing this directory must agree on (the key of fake SCRAM salts), made on first use.
        """
        CREATE TABLE IF NOT EXISTS server_secrets (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        """,

        // 4: accounts removed from the directory whose mail the mail store still has to delete. A row is written in
        // the transaction that removes the account and deleted once the mail is gone; while it exists the name cannot
        // be given to a new account. See SqliteAccountDirectory.RemoveAccountAsync.
        """
        CREATE TABLE IF NOT EXISTS removed_accounts (
            name TEXT PRIMARY KEY,
            removed INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,

        // 5: what the administration console and API need. The administrator role and the TOTP state are columns of
        // accounts, so they go with the account's row. API keys keep only a SHA-256 hash of their secret; revoked is
        // the time of revocation. The audit log outlives the accounts it names; AUTOINCREMENT keeps ids rising even
        // when the newest rows are gone, and the log is trimmed by id. ALTER TABLE has no IF NOT EXISTS: this runs
        // under the migration's write lock, after the version check, so it runs once.
        """
        ALTER TABLE accounts ADD COLUMN administrator INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE accounts ADD COLUMN totp_secret BLOB NULL;
        ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NULL;
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            scope TEXT NOT NULL,
            secret_hash BLOB NOT NULL,
            created_by TEXT NOT NULL,
            created INTEGER NOT NULL,
            last_used INTEGER NULL,
            revoked INTEGER NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            actor TEXT NOT NULL,
            remote_address TEXT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time);
        """,

        // 6: app passwords. Each row belongs to an account and goes with it; the secret is kept only as a PBKDF2 record
        // (the password column's form) with its lookup tag, a keyed hash that finds the one record a login checks
        // (unique per account). protocols is a comma list (imap,pop3,smtp), networks space-separated CIDR or NULL for
        // any, times Unix milliseconds. An account may refuse its own password for mail (require_app_passwords), and
        // the login history names the app password an attempt used. ALTER TABLE runs once, as in migration 5.
        """
        ALTER TABLE accounts ADD COLUMN require_app_passwords INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE login_history ADD COLUMN app_password_id TEXT NULL;
        ALTER TABLE login_history ADD COLUMN app_password_name TEXT NULL;
        ALTER TABLE login_history ADD COLUMN token_issuer TEXT NULL;
        CREATE TABLE IF NOT EXISTS app_passwords (
            id TEXT PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            lookup_tag BLOB NOT NULL,
            password TEXT NOT NULL,
            protocols TEXT NOT NULL,
            networks TEXT NULL,
            expires INTEGER NULL,
            created INTEGER NOT NULL,
            last_used INTEGER NULL,
            last_remote TEXT NULL,
            last_protocol TEXT NULL,
            last_client TEXT NULL
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS app_passwords_lookup ON app_passwords (account_id, lookup_tag);
        """,
    ];
}
