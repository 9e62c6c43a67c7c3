using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>A <c>mailboxes</c> row.</summary>
internal sealed record MailboxRow(long Id, long AccountId, string Name, uint UidValidity, uint UidNext, ulong HighestModSeq, MailboxAttributes SpecialUse, bool Noselect, IReadOnlyList<string> Keywords, uint FirstRecentUid)
{
    public const string Columns = "id, account_id, name, uidvalidity, uidnext, highest_modseq, special_use, noselect, keywords, first_recent_uid";

    public static MailboxRow Read(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetString(2),
        (uint)r.GetInt64(3),
        (uint)r.GetInt64(4),
        (ulong)r.GetInt64(5),
        (MailboxAttributes)r.GetInt32(6),
        r.GetBoolean(7),
        r.GetFieldValue<string[]>(8),
        (uint)r.GetInt64(9));
}
