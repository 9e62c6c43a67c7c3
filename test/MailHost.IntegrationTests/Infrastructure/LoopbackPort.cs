using System.Net;
using System.Net.Sockets;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>Ports for outside daemons a test starts (Pebble, rspamd, clamd, rbldnsd), which must be told their port.</summary>
public static class LoopbackPort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port free on 127.0.0.1 now, and never one this test run was given before: the kernel may hand a port that was
    /// just released out again, and two listeners of one daemon were once given the same one.
    /// </summary>
    public static int Free()
    {
        while (true)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
