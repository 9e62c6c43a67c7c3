namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// A write a view made itself (STORE, EXPUNGE) under its mailbox row lock: the row as the write found it, the MODSEQ
/// the write left, and the unseen messages after it when the write changed any <c>\Seen</c> (null: unchanged). When
/// the row shows that nothing happened since the view's last poll, the view's next state follows from its own write
/// alone, and the poll after the command needs no query (see <see cref="PostgresMailboxView"/>).
/// </summary>
internal sealed record OwnWrite(MailboxRow Before, ulong ModSeq, UnseenCount? Unseen);
