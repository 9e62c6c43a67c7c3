using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailHost.Protocols.Smtp;

namespace MailHost.Smtp;

/// <summary>The trace header fields the server adds (RFC 5321 §4.4): Received on receipt, Return-Path on final delivery.</summary>
internal static class SmtpTraceHeaders
{
    /// <summary><c>Return-Path: &lt;reverse-path&gt;</c> with CRLF (RFC 5321 §4.4, RFC 5322 §3.6.7).</summary>
    public static byte[] ReturnPath(SmtpPath reversePath) => Encoding.UTF8.GetBytes("Return-Path: " + reversePath + "\r\n");

    /// <summary>
    /// A Received field with CRLF: <c>from</c> the EHLO name (when it follows the grammar) and the client's address,
    /// <c>by</c> this host, <c>with</c> the RFC 3848 / RFC 6531 protocol name and the TLS protocol and cipher as a
    /// comment, <c>id</c>, <c>for</c> when there is exactly one recipient, and the date.
    /// </summary>
    public static byte[] Received(
        string hostname,
        string? clientIdentity,
        SmtpIdentityKind identityKind,
        IPEndPoint? remote,
        string protocol,
        string? tlsDescription,
        string id,
        SmtpMailbox? singleRecipient,
        DateTimeOffset now)
    {
        var address = AddressLiteral(remote?.Address);

        // RFC 5321 §4.4 Extended-Domain: a Domain or address-literal, then the TCP-info in a comment. An EHLO
        // argument outside the grammar is left out rather than copied into the header.
        var from = identityKind is SmtpIdentityKind.Domain or SmtpIdentityKind.AddressLiteral && clientIdentity is not null
            ? clientIdentity
            : address;
        var text = new StringBuilder();
        text.Append("Received: from ").Append(from).Append(" (").Append(address).Append(")\r\n");
        text.Append("\tby ").Append(hostname).Append(" (MailHost) with ").Append(protocol);
        if (tlsDescription is not null)
        {
            text.Append(" (").Append(tlsDescription).Append(')');
        }

        text.Append("\r\n\tid ").Append(id);
        if (singleRecipient is not null)
        {
            text.Append(" for <").Append(singleRecipient).Append('>');
        }

        // RFC 5322 §3.3 date-time, in UTC.
        text.Append(";\r\n\t").Append(now.UtcDateTime.ToString("ddd, d MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)).Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The "with" protocol name: RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP...).</summary>
    public static string Protocol(bool extended, bool utf8, bool tls, bool authenticated)
    {
        if (!extended)
        {
            return "SMTP";
        }

        var name = utf8 ? "UTF8SMTP" : "ESMTP";
        return name + (tls ? "S" : "") + (authenticated ? "A" : "");
    }

    private static string AddressLiteral(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        // RFC 5321 §4.1.3 address-literal.
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? "[IPv6:" + address + "]" : "[" + address + "]";
    }
}
