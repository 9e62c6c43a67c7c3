using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Releases the content references of many messages at once: one statement, sent in the caller's batch with its
/// other writes, lowers the counts and names the contents no message refers to any more; those go afterwards with
/// their bytes (<see cref="IContentBlobs.DeleteAsync"/>). The counts' row locks keep a concurrent delivery of the same
/// bytes waiting until the deletion has committed, as with one release at a time.
/// </summary>
internal sealed class ContentRelease
{
    /// <summary>The name of the first column of <see cref="Statement"/>'s result.</summary>
    public const string FirstColumn = "released_id";

    private readonly List<long> _ids = [];
    private readonly List<string> _addresses = [];

    /// <summary>Lowers the count of each of <paramref name="contentIds"/> once per occurrence; returns the contents left without references.</summary>
    public static (string Sql, object?[] Parameters) Statement(IEnumerable<long> contentIds) =>
        ("""
         WITH d AS (SELECT id, COUNT(*)::int AS n FROM unnest($1::bigint[]) AS id GROUP BY id),
         lowered AS (UPDATE contents c SET refs = c.refs - d.n FROM d WHERE c.id = d.id RETURNING c.id, c.refs, c.address)
         SELECT id AS released_id, address FROM lowered WHERE refs <= 0
         """,
         [contentIds.ToArray()]);

    /// <summary>Takes one row of <see cref="Statement"/>'s result.</summary>
    public void Read(NpgsqlDataReader r)
    {
        _ids.Add(r.GetInt64(0));
        _addresses.Add(r.GetString(1));
    }

    /// <summary>
    /// Deletes the contents left without references, and their bytes; nothing when there are none. The deletes wait
    /// for the transaction's next statement or its commit (<see cref="PgSession.Defer"/>): nothing reads them back.
    /// </summary>
    public async Task DeleteUnreferencedAsync(PostgresMailStore store, PgSession s, CancellationToken ct)
    {
        if (_ids.Count == 0)
        {
            return;
        }

        s.Defer([("DELETE FROM contents WHERE id = ANY($1)", [_ids.ToArray()])]);
        await store.Blobs.DeleteAsync(s, _addresses, ct).ConfigureAwait(false);
        s.StoredContent.ExceptWith(_addresses);
    }
}
