using MailHost.Protocols.Imap;
using MailHost.Storage;
using Microsoft.Extensions.Logging;

namespace MailHost.Imap;

/// <summary>
/// The tagged refusals many commands share: a store failure with its RFC 5530 response code, a mailbox name that does
/// not decode, a sequence set beyond the mailbox.
/// </summary>
internal sealed class ImapReplies(ImapSessionState session, ILogger logger)
{
    /// <summary>Why an undecodable name was refused, in the session's encoding of names.</summary>
    public string UndecodableNameText => session.Utf8 ? "not valid UTF-8" : "not valid modified UTF-7";

    /// <summary>
    /// Writes a tagged NO for a store failure with the RFC 5530 response code of its <see cref="StoreErrorCode"/>.
    /// <paramref name="tryCreate"/>: a missing mailbox is a COPY/MOVE/APPEND target (RFC 9051 §6.3.12, §6.4.7).
    /// <paramref name="storesName"/>: the command would store the name (CREATE, RENAME's new name, SUBSCRIBE), so a
    /// name the store cannot hold is <c>[CANNOT]</c>; for every other command it names no mailbox, <c>[NONEXISTENT]</c>
    /// (never <c>[TRYCREATE]</c>: CREATE could not make it).
    /// </summary>
    public void WriteStoreError(string tag, StoreError error, bool tryCreate = false, bool storesName = false)
    {
        var code = error.Code switch
        {
            StoreErrorCode.NotFound => tryCreate ? "TRYCREATE" : "NONEXISTENT",
            StoreErrorCode.AlreadyExists => "ALREADYEXISTS",
            StoreErrorCode.InvalidName => storesName ? "CANNOT" : "NONEXISTENT",
            StoreErrorCode.NotAllowed => "CANNOT",
            StoreErrorCode.HasChildren => "INUSE",
            StoreErrorCode.OverQuota => "OVERQUOTA",
            StoreErrorCode.TooBig => "TOOBIG",
            StoreErrorCode.LimitExceeded => "LIMIT",
            StoreErrorCode.ReadOnly => "READ-ONLY",
            StoreErrorCode.InvalidArgument => "CLIENTBUG",

            // A full disk is the server's problem and temporary, not the user's quota: RFC 5530 [UNAVAILABLE], never
            // [OVERQUOTA], which would have the client tell the user to delete mail.
            StoreErrorCode.InsufficientStorage => "UNAVAILABLE",
            _ => "UNAVAILABLE",
        };
        if (error.Code is StoreErrorCode.Unavailable or StoreErrorCode.InsufficientStorage)
        {
            ImapLog.StoreFailed(logger, error.Code.ToString(), error.Message);
        }

        if (error.Code == StoreErrorCode.AccountRemoved)
        {
            // The operator removed the account while this session was open: nothing it could do would reach anything,
            // so it ends (RFC 9051 §7.1.5: BYE, the server is closing the connection).
            session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "The account was removed");
            ImapLog.Closing(logger, "account removed");
            session.LogOut();
        }

        // Store messages are fixed texts written for clients; the writer guards against CR/LF regardless.
        session.Writer.WriteTagged(tag, ImapResponseStatus.No, code, error.Message);
    }

    /// <summary>The tagged OK with <paramref name="text"/> when <paramref name="result"/> succeeded, else its <see cref="WriteStoreError"/>.</summary>
    public void WriteResult(string tag, StoreResult result, string text, bool storesName = false)
    {
        if (result.IsSuccess)
        {
            session.Writer.WriteTagged(tag, ImapResponseStatus.Ok, null, text);
        }
        else
        {
            WriteStoreError(tag, result.Error!, storesName: storesName);
        }
    }

    /// <summary>
    /// RFC 3501 §5.1.3, RFC 9051 §5.1: a name that is a valid astring but does not decode (not modified UTF-7, or not
    /// UTF-8 once UTF-8 is enabled) names no mailbox. The command's syntax is valid, so the answer is NO, never BAD:
    /// <c>[NONEXISTENT]</c>, or <c>[CANNOT]</c> where the command would store the name. True when it wrote that answer.
    /// </summary>
    public bool RefuseUndecodable(string tag, string name, bool storesName = false)
    {
        if (!ImapMailboxName.IsUndecodable(name))
        {
            return false;
        }

        session.Writer.WriteTagged(tag, ImapResponseStatus.No, storesName ? "CANNOT" : "NONEXISTENT", storesName ? "Invalid mailbox name: " + UndecodableNameText : "No such mailbox: " + UndecodableNameText);
        return true;
    }

    /// <summary>RFC 9051 §6.4: a sequence number beyond the mailbox is an error (BAD).</summary>
    public void WriteInvalidSet(string tag)
        => session.Writer.WriteTagged(tag, ImapResponseStatus.Bad, "CLIENTBUG", "Invalid message sequence number");
}
