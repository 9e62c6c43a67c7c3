namespace MailHost.Storage.Postgres.Accounts;

/// <summary>
/// The tables of <see cref="PostgresAccountDirectory"/>, in the schema <see cref="PostgresAccountDirectory.SchemaName"/>,
/// as forward-only migrations. They hold what the SQLite directory holds, in the same shape (the queries are shared):
/// names and addresses in canonical form, times in Unix milliseconds.
/// </summary>
internal static class PostgresAccountDirectorySchema
{
    public const string Component = "directory";

    public static readonly IReadOnlyList<PostgresMigration> Migrations =
    [
        new(1, """
            CREATE TABLE domains (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                created bigint NOT NULL
            );
            CREATE TABLE accounts (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                password text NULL,
                disabled boolean NOT NULL DEFAULT false,
                created bigint NOT NULL
            );
            CREATE TABLE addresses (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                address text NOT NULL UNIQUE,
                account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                domain_id bigint NOT NULL REFERENCES domains (id)
            );
            CREATE INDEX addresses_account ON addresses (account_id);
            CREATE INDEX addresses_domain ON addresses (domain_id);
            CREATE TABLE aliases (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                address text NOT NULL UNIQUE,
                account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                domain_id bigint NOT NULL REFERENCES domains (id)
            );
            CREATE INDEX aliases_account ON aliases (account_id);
            CREATE INDEX aliases_domain ON aliases (domain_id);

            -- An address belongs to one account, as an address or as an alias: enforced here as well as in code.
            CREATE FUNCTION address_is_free() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM addresses WHERE address = NEW.address) OR EXISTS (SELECT 1 FROM aliases WHERE address = NEW.address) THEN
                    RAISE EXCEPTION 'address % is already taken', NEW.address USING ERRCODE = 'unique_violation';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER addresses_not_alias BEFORE INSERT ON addresses FOR EACH ROW EXECUTE FUNCTION address_is_free();
            CREATE TRIGGER aliases_not_address BEFORE INSERT ON aliases FOR EACH ROW EXECUTE FUNCTION address_is_free();

            -- Login history, bounded per account, and a global bounded history of logins that matched no account.
            CREATE TABLE login_history (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                time bigint NOT NULL,
                login text NOT NULL,
                protocol text NOT NULL,
                mechanism text NOT NULL,
                remote_endpoint text NULL,
                tls boolean NOT NULL,
                client_name text NULL,
                outcome text NOT NULL
            );
            CREATE INDEX login_history_account ON login_history (account_id, id);
            CREATE TABLE unresolved_logins (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                account_name text NULL,
                time bigint NOT NULL,
                login text NOT NULL,
                protocol text NOT NULL,
                mechanism text NOT NULL,
                remote_endpoint text NULL,
                tls boolean NOT NULL,
                client_name text NULL,
                outcome text NOT NULL
            );

            -- Secrets every host must agree on (the key of fake SCRAM salts), made on first use.
            CREATE TABLE server_secrets (
                name text PRIMARY KEY,
                value bytea NOT NULL
            );

            -- Accounts removed whose mail the mail store still has to delete (see SqlAccountDirectory.RemoveAccountAsync).
            CREATE TABLE removed_accounts (
                name text PRIMARY KEY,
                removed bigint NOT NULL
            );
            """),

        // What the administration console and API need (see the SQLite schema's migration 5): the administrator role
        // and TOTP state go with the account's row; API keys keep only a SHA-256 hash of their secret; the audit log
        // outlives the accounts it names and is trimmed by id.
        new(2, """
            ALTER TABLE accounts
                ADD COLUMN administrator boolean NOT NULL DEFAULT false,
                ADD COLUMN totp_secret bytea NULL,
                ADD COLUMN totp_last_step bigint NULL;
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                name text NOT NULL,
                scope text NOT NULL,
                secret_hash bytea NOT NULL,
                created_by text NOT NULL,
                created bigint NOT NULL,
                last_used bigint NULL,
                revoked bigint NULL
            );
            CREATE TABLE audit_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time bigint NOT NULL,
                actor text NOT NULL,
                remote_address text NULL,
                action text NOT NULL,
                target text NOT NULL,
                detail text NULL
            );
            CREATE INDEX audit_log_time ON audit_log (time);
            """),

        // App passwords (see the SQLite schema's migration 6): one row per app password with its PBKDF2 record and
        // lookup tag (unique per account), gone with its account; an account's choice to refuse its own password for
        // mail; and which app password a login used.
        new(3, """
            ALTER TABLE accounts ADD COLUMN require_app_passwords boolean NOT NULL DEFAULT false;
            ALTER TABLE login_history
                ADD COLUMN app_password_id text NULL,
                ADD COLUMN app_password_name text NULL,
                ADD COLUMN token_issuer text NULL;
            CREATE TABLE app_passwords (
                id text PRIMARY KEY,
                account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                name text NOT NULL,
                lookup_tag bytea NOT NULL,
                password text NOT NULL,
                protocols text NOT NULL,
                networks text NULL,
                expires bigint NULL,
                created bigint NOT NULL,
                last_used bigint NULL,
                last_remote text NULL,
                last_protocol text NULL,
                last_client text NULL
            );
            CREATE UNIQUE INDEX app_passwords_lookup ON app_passwords (account_id, lookup_tag);
            """),
    ];
}
