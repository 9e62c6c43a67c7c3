namespace MailHost.Dkim;

/// <summary>How looking up one DKIM key ended (RFC 6376 §6.1.2).</summary>
internal enum DkimKeyStatus
{
    Found = 0,
    NotFound = 1,
    Revoked = 2,
    Invalid = 3,
    TemporaryFailure = 4,
}
