using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.MailAuthentication;
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
    private readonly IMailStore _store;
    private readonly SaslAuthenticator _sasl;
    private readonly IOutboundMailDelivery? _outbound;
    private readonly MailAuthenticator? _mailAuthenticator;
    private readonly SmtpAddressPolicy _addresses;
    private readonly SmtpUnknownRecipientLimiter _unknownRecipients;
    private readonly IOptions<SmtpOptions> _options;
    private readonly IOptions<AuthenticationOptions> _authOptions;
    private readonly string _hostname;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>
    /// Creates the handler; <paramref name="outbound"/> is optional (without it, submission does not relay), and so is
    /// <paramref name="mailAuthenticator"/> (without it, MX mail gets no SPF/DKIM/DMARC checks).
    /// </summary>
    public SmtpConnectionHandler(
        IMailStore store,
        IAccountDirectory directory,
        SaslAuthenticator sasl,
        IOptions<SmtpOptions> options,
        IOptions<AuthenticationOptions> authOptions,
        IOptions<MailHostOptions> hostOptions,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IOutboundMailDelivery? outbound = null,
        MailAuthenticator? mailAuthenticator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostOptions);
        _store = store;
        _sasl = sasl;
        _outbound = outbound;
        _mailAuthenticator = mailAuthenticator;
        _options = options;
        _authOptions = authOptions;
        _hostname = hostOptions.Value.Hostname;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _addresses = new SmtpAddressPolicy(directory, _hostname, options.Value.SubaddressSeparator);
        hostOptions.Value.Limits.Validate();
        _unknownRecipients = new SmtpUnknownRecipientLimiter(options, hostOptions.Value.Limits, timeProvider);
        if (!options.Value.RequireOwnAddressInMailFrom || !options.Value.RequireOwnAddressInHeaderFrom)
        {
            SmtpLog.SenderChecksOff(loggerFactory.CreateLogger<SmtpConnectionHandler>(), options.Value.RequireOwnAddressInMailFrom, options.Value.RequireOwnAddressInHeaderFrom);
        }
    }

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new SmtpSession(
            connection,
            _store,
            _sasl,
            _outbound,
            _mailAuthenticator,
            _addresses,
            _unknownRecipients,
            _options.Value,
            _authOptions.Value,
            _hostname,
            _timeProvider,
            _loggerFactory);
        await using (session.ConfigureAwait(false))
        {
            await session.RunAsync().ConfigureAwait(false);
        }
    }
}
