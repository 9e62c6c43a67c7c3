using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Filtering;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.MailAuthentication;
using MailHost.Sessions;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Smtp;

/// <summary>
/// The Kestrel handler of SMTP endpoints: MX (<see cref="MailProtocol.Smtp"/>) and submission
/// (<see cref="MailProtocol.Submission"/>); the endpoint's protocol decides the policy. Makes a session and runs it.
/// </summary>
internal sealed class SmtpConnectionHandler : ConnectionHandler
{
    private readonly SmtpServices _services;
    private readonly MailShutdown _shutdown;

    /// <summary>
    /// Creates the handler; <paramref name="outbound"/> is optional (without it, submission does not relay), and so is
    /// <paramref name="mailAuthenticator"/> (without it, MX mail gets no SPF/DKIM/DMARC checks) and
    /// <paramref name="filters"/> (without it, or without filters in it, mail is not filtered).
    /// </summary>
    public SmtpConnectionHandler(
        IMailStore store,
        IAccountDirectory directory,
        SaslAuthenticator sasl,
        IOptions<SmtpOptions> options,
        IOptions<AuthenticationOptions> authOptions,
        IOptions<MailHostOptions> hostOptions,
        MailShutdown shutdown,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IOutboundMailDelivery? outbound = null,
        MailAuthenticator? mailAuthenticator = null,
        InboundFilterPipeline? filters = null,
        IOptions<InboundFilteringOptions>? filtering = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(authOptions);
        ArgumentNullException.ThrowIfNull(hostOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(shutdown);
        _shutdown = shutdown;
        var hostname = hostOptions.Value.Hostname;
        hostOptions.Value.Limits.Validate();
        _services = new SmtpServices
        {
            Store = store,
            Sasl = sasl,
            Outbound = outbound,
            MailAuthenticator = mailAuthenticator,
            Filters = filters is { Filters.Count: > 0 } ? filters : null,
            Filtering = filtering?.Value ?? new InboundFilteringOptions(),
            Addresses = new SmtpAddressPolicy(directory, hostname, options.Value.SubaddressSeparator),
            UnknownRecipients = new SmtpUnknownRecipientLimiter(options, hostOptions.Value.Limits, timeProvider),
            Options = options.Value,
            Authentication = authOptions.Value,
            Hostname = hostname,
            Connection = new MailSessionSettings
            {
                Protocol = MailProtocol.Smtp,
                WriteTimeout = options.Value.WriteTimeout,
                TimeProvider = timeProvider,
                LoggerFactory = loggerFactory,
                Logger = loggerFactory.CreateLogger<SmtpSession>(),
                Shutdown = shutdown,
            },
        };
        if (!options.Value.RequireOwnAddressInMailFrom || !options.Value.RequireOwnAddressInHeaderFrom)
        {
            SmtpLog.SenderChecksOff(loggerFactory.CreateLogger<SmtpConnectionHandler>(), options.Value.RequireOwnAddressInMailFrom, options.Value.RequireOwnAddressInHeaderFrom);
        }
    }

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new SmtpSession(connection, _services, _shutdown.Requested);
        await using (session.ConfigureAwait(false))
        {
            await session.RunAsync().ConfigureAwait(false);
        }
    }
}
