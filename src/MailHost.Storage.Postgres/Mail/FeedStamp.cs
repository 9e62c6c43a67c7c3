namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// What <see cref="PostgresChangeFeed"/> had said of a mailbox when a view was about to read it: its epoch (the
/// LISTEN connection and the database failures met so far; -1: no connection was up), the renames announced, and
/// when (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).
/// </summary>
internal readonly record struct FeedStamp(int Epoch, long Renames, long Timestamp);
