namespace MailHost.Storage.Search;

/// <summary>Which object id an <see cref="ObjectIdCriterion"/> compares (RFC 8474 §6).</summary>
public enum ObjectIdKind
{
    /// <summary><c>EMAILID</c>.</summary>
    EmailId,

    /// <summary><c>THREADID</c>.</summary>
    ThreadId,
}
