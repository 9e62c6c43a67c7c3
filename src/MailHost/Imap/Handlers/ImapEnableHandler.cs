using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>ENABLE (RFC 5161, RFC 9051 §6.3.1): IMAP4rev2, UTF8=ACCEPT (RFC 6855), CONDSTORE and QRESYNC (RFC 7162).</summary>
internal sealed class ImapEnableHandler(ImapSessionState session, ImapCapabilityList capabilities)
{
    public Task EnableAsync(EnableCommand command)
    {
        // RFC 5161 §3.1: unknown names are ignored; ENABLED lists only what this command turned on.
        var enabled = new List<string>();
        foreach (var name in command.Capabilities)
        {
            var upper = name.ToUpperInvariant();
            switch (upper)
            {
                case "IMAP4REV2" when !session.Rev2:
                    session.EnableRev2();
                    enabled.Add("IMAP4rev2");
                    break;
                case "UTF8=ACCEPT" when !session.Utf8 && capabilities.Extensions().Contains("UTF8=ACCEPT"):
                    session.EnableUtf8();
                    enabled.Add("UTF8=ACCEPT");
                    break;
                case "CONDSTORE" when !session.Condstore && capabilities.Extensions().Contains("CONDSTORE"):
                    session.EnableCondstore();
                    enabled.Add("CONDSTORE");
                    break;
                case "QRESYNC" when !session.Qresync && capabilities.Extensions().Contains("QRESYNC"):
                    session.EnableQresync();
                    enabled.Add("QRESYNC");
                    break;
            }
        }

        session.Writer.WriteEnabled(enabled);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "ENABLE completed");
        return Task.CompletedTask;
    }
}
