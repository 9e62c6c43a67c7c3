using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>A <c>mailboxes</c> row; <see cref="Unseen"/> is kept by triggers on <c>messages</c> (mail migration 4).</summary>
internal sealed record MailboxRow(long Id, long AccountId, string Name, uint UidValidity, uint UidNext, ulong HighestModSeq, MailboxAttributes SpecialUse, bool Noselect, IReadOnlyList<string> Keywords, uint FirstRecentUid, int Unseen)
{
    public const string Columns = "id, account_id, name, uidvalidity, uidnext, highest_modseq, special_use, noselect, keywords, first_recent_uid, unseen";

    /// <summary><see cref="Columns"/> of the <c>mailboxes</c> row aliased <c>mb</c>, for queries that join it.</summary>
    public const string JoinedColumns = "mb.id, mb.account_id, mb.name, mb.uidvalidity, mb.uidnext, mb.highest_modseq, mb.special_use, mb.noselect, mb.keywords, mb.first_recent_uid, mb.unseen";

    /// <summary>How many columns <see cref="Read"/> takes.</summary>
    public const int ColumnCount = 11;

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
        (uint)r.GetInt64(9),
        (int)r.GetInt64(10));
}
