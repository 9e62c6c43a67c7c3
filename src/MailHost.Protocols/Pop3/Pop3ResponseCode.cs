namespace MailHost.Protocols.Pop3;

/// <summary>Extended response codes (RFC 2449 §8, RESP-CODES) sent in brackets after <c>-ERR</c>.</summary>
public enum Pop3ResponseCode
{
    /// <summary>No code.</summary>
    None = 0,

    /// <summary><c>[IN-USE]</c> (RFC 2449 §8.1.1): the maildrop is locked by another session.</summary>
    InUse,

    /// <summary><c>[LOGIN-DELAY]</c> (RFC 2449 §8.1.2): logged in too recently.</summary>
    LoginDelay,

    /// <summary><c>[SYS/TEMP]</c> (RFC 3206 §4): a temporary system problem.</summary>
    SysTemp,

    /// <summary><c>[SYS/PERM]</c> (RFC 3206 §4): a permanent system problem.</summary>
    SysPerm,

    /// <summary><c>[AUTH]</c> (RFC 3206 §5): the credentials were wrong (as opposed to a system problem).</summary>
    Auth,
}
