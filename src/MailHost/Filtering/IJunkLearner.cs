namespace MailHost.Filtering;

/// <summary>
/// Teaches a spam classifier from what users do: a message moved into Junk is spam, one moved out of it is not.
/// Called by MailHost's training queue, one message at a time, after the IMAP command that moved it has been
/// answered; never on the path of a client's command.
/// </summary>
public interface IJunkLearner
{
    /// <summary>A short lower-case name for logs and metrics (<c>rspamd</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Teaches one message. <paramref name="message"/> is read once, forward only; the caller disposes it. Throws on
    /// failure (the queue logs it and goes on with the next message).
    /// </summary>
    Task LearnAsync(string accountName, JunkClassification classification, Stream message, CancellationToken cancellationToken);
}
