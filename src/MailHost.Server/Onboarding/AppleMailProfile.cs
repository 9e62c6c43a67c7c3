using System.Security.Cryptography;
using System.Text;
using System.Xml;
using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// An Apple configuration profile (a property list, Apple's "Configuration Profile Reference") holding one
/// <c>com.apple.mail.managed</c> payload: an IMAP account with SMTP submission, for iOS, iPadOS and macOS Mail.
/// POP3 is left out (the payload takes one incoming server, and IMAP is what these clients are made for).
/// </summary>
internal static class AppleMailProfile
{
    /// <summary>The content type that makes Safari and the device offer to install the profile.</summary>
    public const string ContentType = "application/x-apple-aspen-config";

    /// <summary>
    /// The unsigned profile for <paramref name="address"/>, or null when the host has no IMAP or no submission endpoint
    /// with TLS (the payload needs both). Its UUIDs are derived from the host name and the address, so installing
    /// a newer download replaces the older profile instead of adding a second account.
    /// </summary>
    public static byte[]? Create(MailClientSettings settings, OnboardingAddress address)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        if (settings.Preferred(MailProtocol.Imap) is not { } imap || settings.Preferred(MailProtocol.Submission) is not { } submission)
        {
            return null;
        }

        var identifier = string.Join('.', settings.Hostname.Split('.').Reverse()) + ".mailhost";
        var login = settings.LoginNameFor(address);
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            writer.WriteStartDocument();
            writer.WriteDocType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null);
            writer.WriteStartElement("plist");
            writer.WriteAttributeString("version", "1.0");
            writer.WriteStartElement("dict");
            writer.WriteElementString("key", "PayloadContent");
            writer.WriteStartElement("array");
            writer.WriteStartElement("dict");
            String(writer, "PayloadType", "com.apple.mail.managed");
            Integer(writer, "PayloadVersion", 1);
            String(writer, "PayloadIdentifier", identifier + ".mail." + address.Address);
            String(writer, "PayloadUUID", StableUuid(settings.Hostname, address.Address, "mail"));
            String(writer, "PayloadDisplayName", address.Address);
            String(writer, "EmailAccountType", "EmailTypeIMAP");
            String(writer, "EmailAccountDescription", address.Address);
            String(writer, "EmailAddress", address.Address);
            String(writer, "IncomingMailServerHostName", settings.Hostname);
            Integer(writer, "IncomingMailServerPortNumber", imap.Port);
            // UseSSL true means TLS: at once on an implicit-TLS port, by STARTTLS on a plain-text one.
            Boolean(writer, "IncomingMailServerUseSSL", true);
            String(writer, "IncomingMailServerUsername", login);
            String(writer, "IncomingMailServerAuthentication", "EmailAuthPassword");
            String(writer, "OutgoingMailServerHostName", settings.Hostname);
            Integer(writer, "OutgoingMailServerPortNumber", submission.Port);
            Boolean(writer, "OutgoingMailServerUseSSL", true);
            String(writer, "OutgoingMailServerUsername", login);
            String(writer, "OutgoingMailServerAuthentication", "EmailAuthPassword");
            Boolean(writer, "OutgoingPasswordSameAsIncomingPassword", true);
            writer.WriteEndElement();
            writer.WriteEndElement();
            String(writer, "PayloadType", "Configuration");
            Integer(writer, "PayloadVersion", 1);
            String(writer, "PayloadIdentifier", identifier + ".profile." + address.Address);
            String(writer, "PayloadUUID", StableUuid(settings.Hostname, address.Address, "profile"));
            String(writer, "PayloadDisplayName", "Mail: " + address.Address);
            String(writer, "PayloadDescription", $"IMAP and SMTP settings for {address.Address} on {settings.Hostname}.");
            Boolean(writer, "PayloadRemovalDisallowed", false);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    private static void String(XmlWriter writer, string key, string value)
    {
        writer.WriteElementString("key", key);
        writer.WriteElementString("string", value);
    }

    private static void Integer(XmlWriter writer, string key, int value)
    {
        writer.WriteElementString("key", key);
        writer.WriteElementString("integer", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Boolean(XmlWriter writer, string key, bool value)
    {
        writer.WriteElementString("key", key);
        writer.WriteStartElement(value ? "true" : "false");
        writer.WriteEndElement();
    }

    /// <summary>A name-based UUID (RFC 9562 §5.8, version 8 from SHA-256) for one payload of one address on one host.</summary>
    private static string StableUuid(string hostname, string address, string payload)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"mailhost-profile\n{hostname}\n{address}\n{payload}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString().ToUpperInvariant();
    }
}
