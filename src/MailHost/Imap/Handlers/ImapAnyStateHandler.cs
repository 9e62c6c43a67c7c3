using MailHost.Protocols.Imap;
using Microsoft.Extensions.Logging;

namespace MailHost.Imap.Handlers;

/// <summary>The commands of any state (RFC 9051 §6.1): CAPABILITY, NOOP, LOGOUT, and ID (RFC 2971 §3.1).</summary>
internal sealed class ImapAnyStateHandler(ImapSessionState session, ImapCapabilityList capabilities, ImapMailboxUpdates updates, ILogger logger)
{
    public Task CapabilityAsync(CapabilityCommand command)
    {
        session.Writer.WriteCapability(capabilities.List());
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "CAPABILITY completed");
        return Task.CompletedTask;
    }

    public async Task NoopAsync(NoopCommand command)
    {
        // RFC 9051 §6.1.2: NOOP is the classic way to poll for updates.
        await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "NOOP completed");
    }

    public Task LogoutAsync(LogoutCommand command)
    {
        // RFC 9051 §6.1.3: BYE first, then the tagged OK.
        session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "MailHost IMAP server logging out");
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "LOGOUT completed");
        session.LogOut();
        return Task.CompletedTask;
    }

    public Task IdAsync(IdCommand command)
    {
        // RFC 2971 §3.1: the client's name feeds the log scope and the login history.
        var name = command.Parameters?.FirstOrDefault(p => string.Equals(p.Key, "name", StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(name))
        {
            var clean = new string([.. name.Where(c => !char.IsControl(c)).Take(64)]).Trim();
            if (clean.Length > 0)
            {
                session.Connection.ClientName = clean;
                ImapLog.ClientIdentified(logger, clean);
            }
        }

        session.Writer.WriteRaw("* ID (\"name\" \"MailHost\" \"vendor\" \"MailHost\")\r\n"u8);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "ID completed");
        return Task.CompletedTask;
    }
}
