namespace MailHost.Protocols.Pop3;

/// <summary>The outcome of a <see cref="Pop3CommandParser"/> call.</summary>
public enum Pop3ParseStatus
{
    /// <summary>No complete line yet; nothing was consumed, except while discarding the rest of an over-long line.</summary>
    Incomplete = 0,

    /// <summary>One line was parsed and consumed.</summary>
    Complete = 1,

    /// <summary>The input was refused with the response to send; the bad line (or what arrived of it) was consumed.</summary>
    Error = 2,
}
