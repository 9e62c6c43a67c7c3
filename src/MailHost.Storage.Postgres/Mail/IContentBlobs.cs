namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Where message bytes live, by content address (the SHA-256 of <see cref="MessageSpool.ContentAddress"/>). The
/// store keeps the reference counts and calls <see cref="WriteAsync"/> once per new address and
/// <see cref="DeleteAsync"/> once its last reference is gone, both inside the transaction that decides it; an
/// implementation outside the database (an object store) would write before that commit and delete after it
/// (<see cref="PgSession.AfterCommit"/>).
/// </summary>
internal interface IContentBlobs
{
    /// <summary>
    /// Stores <paramref name="length"/> octets of <paramref name="content"/> under <paramref name="address"/>,
    /// streaming, unless the address has its bytes already (then no more than the first chunk is read); whether this
    /// call stored them.
    /// </summary>
    Task<bool> WriteAsync(PgSession session, string address, Stream content, long length, CancellationToken cancellationToken);

    /// <summary>Removes the bytes of <paramref name="addresses"/>.</summary>
    Task DeleteAsync(PgSession session, IReadOnlyList<string> addresses, CancellationToken cancellationToken);

    /// <summary>
    /// Opens <paramref name="length"/> octets from <paramref name="offset"/>, read piece by piece as the caller
    /// reads (opening reads no further than the first chunk wanted); <see langword="null"/> when the content no
    /// longer exists.
    /// </summary>
    Task<Stream?> OpenReadAsync(string address, long offset, long length, CancellationToken cancellationToken);

    /// <summary>
    /// The whole bytes of those of <paramref name="addresses"/> that are stored in one piece, in one read; the others
    /// (and addresses that no longer exist) are left out.
    /// </summary>
    Task<Dictionary<string, byte[]>> ReadSmallAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken);
}
