using MailHost.Delivery;
using MailHost.Filtering;
using MailHost.Logins;
using MailHost.MailAuthentication;
using MailHost.Sessions;
using MailHost.Storage;

namespace MailHost.Smtp;

/// <summary>The singletons every SMTP session uses, built once by the <see cref="SmtpConnectionHandler"/>.</summary>
internal sealed class SmtpServices
{
    /// <summary>The store local recipients' mail goes to.</summary>
    public required IMailStore Store { get; init; }

    /// <summary>Runs AUTH exchanges (RFC 4954) on submission.</summary>
    public required SaslAuthenticator Sasl { get; init; }

    /// <summary>Queues mail for external recipients; without it, submission does not relay.</summary>
    public IOutboundMailDelivery? Outbound { get; init; }

    /// <summary>SPF, DKIM and DMARC for MX mail; without it, MX mail is not checked.</summary>
    public MailAuthenticator? MailAuthenticator { get; init; }

    /// <summary>Whose addresses are local, and which account owns an address.</summary>
    public required SmtpAddressPolicy Addresses { get; init; }

    /// <summary>Slows down clients probing for local addresses.</summary>
    public required SmtpUnknownRecipientLimiter UnknownRecipients { get; init; }

    /// <summary>The SMTP settings.</summary>
    public required SmtpOptions Options { get; init; }

    /// <summary>The login settings (failures allowed per connection).</summary>
    public required AuthenticationOptions Authentication { get; init; }

    /// <summary>This server's name in the greeting, EHLO and Received fields.</summary>
    public required string Hostname { get; init; }

    /// <summary>The inbound filters (MX, and submission where a filter says so); null when none is registered.</summary>
    public InboundFilterPipeline? Filters { get; init; }

    /// <summary>The pipeline's own settings (quarantine).</summary>
    public InboundFilteringOptions Filtering { get; init; } = new();

    /// <summary>The settings of each session's connection mechanics.</summary>
    public required MailSessionSettings Connection { get; init; }
}
