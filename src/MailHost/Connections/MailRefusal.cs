using System.IO.Pipelines;
using MailHost.Hosting;

namespace MailHost.Connections;

/// <summary>
/// The one line a client gets when it is refused before the greeting, in its protocol's words, so that a
/// client shows the user a reason instead of a bare disconnect. Never sent on implicit-TLS endpoints (the
/// client expects a TLS record there).
/// </summary>
internal static class MailRefusal
{
    public static async ValueTask WriteAsync(PipeWriter output, MailEndpointOptions endpoint, bool temporary, CancellationToken cancellationToken)
    {
        if (endpoint.IsImplicitTls)
        {
            return;
        }

        var line = (endpoint.Protocol, temporary) switch
        {
            // RFC 9051 §7.1.5 BYE; RFC 5530 response codes.
            (MailProtocol.Imap, true) => "* BYE [UNAVAILABLE] Too many connections, try again later\r\n"u8.ToArray(),
            (MailProtocol.Imap, false) => "* BYE [UNAVAILABLE] Access denied\r\n"u8.ToArray(),

            // RFC 3206 §4: SYS/TEMP and SYS/PERM.
            (MailProtocol.Pop3, true) => "-ERR [SYS/TEMP] Too many connections, try again later\r\n"u8.ToArray(),
            (MailProtocol.Pop3, false) => "-ERR [SYS/PERM] Access denied\r\n"u8.ToArray(),

            // RFC 5321 §3.1: 421 closes; 554 refuses the session. RFC 3463 X.7.0 / X.7.1.
            (_, true) => "421 4.7.0 Too many connections, try again later\r\n"u8.ToArray(),
            (_, false) => "554 5.7.1 Access denied\r\n"u8.ToArray(),
        };
        await output.WriteAsync(line, cancellationToken).ConfigureAwait(false);
    }
}
