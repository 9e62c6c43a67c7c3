using System.Net.Sockets;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Faults;

/// <summary>Cutting a <see cref="LineClient"/>'s connection at whatever point a test has brought it to.</summary>
public static class FaultCutExtensions
{
    /// <summary>Drops the connection of <paramref name="client"/> the way <paramref name="cut"/> says.</summary>
    public static async Task CutAsync(this LineClient client, FaultCut cut)
    {
        var socket = client.Socket;
        if (cut == FaultCut.Reset)
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        else
        {
            var buffer = new byte[64 * 1024];
            while (socket.Available > 0)
            {
                await socket.ReceiveAsync(buffer, SocketFlags.None);
            }

            socket.Shutdown(SocketShutdown.Both);
        }

        socket.Close();
        await client.DisposeAsync();
    }
}
