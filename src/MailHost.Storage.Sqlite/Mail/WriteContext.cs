namespace MailHost.Storage.Sqlite.Mail;

/// <summary>What a write operation sees: the writer's connection inside the batch transaction, and a list of work to do after the commit.</summary>
internal sealed class WriteContext
{
    private List<Action<DbSession>> _afterCommit = [];

    public WriteContext(DbSession db) => Db = db;

    public DbSession Db { get; }

    /// <summary>Runs after the commit succeeded (publishing changes, deleting released files).</summary>
    public void AfterCommit(Action<DbSession> action) => _afterCommit.Add(action);

    public void Begin() => _afterCommit = [];

    public List<Action<DbSession>> TakeAfterCommit()
    {
        var actions = _afterCommit;
        _afterCommit = [];
        return actions;
    }
}
