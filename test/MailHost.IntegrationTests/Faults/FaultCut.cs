namespace MailHost.IntegrationTests.Faults;

/// <summary>How a client drops its connection.</summary>
public enum FaultCut
{
    /// <summary>An abortive close: SO_LINGER with a zero timeout, then close, so the kernel sends RST (a crash, a NAT timeout).</summary>
    Reset,

    /// <summary>
    /// An orderly close: what the client has received is read first (so the kernel has no reason to reset), then both
    /// directions are shut down and the socket closed, which sends FIN (a client that quits without saying so).
    /// </summary>
    Fin,
}
