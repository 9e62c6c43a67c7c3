using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using MailHost.Delivery.Queue;
using MailHost.Dkim;
using MailHost.Dns;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailHost.Delivery.Transport;

/// <summary>
/// Sends queued messages with MailKit's SMTP client: connects through <see cref="IDnsResolver"/> addresses only,
/// keeps idle connections per destination for reuse, and caps connections per destination. Messages are DKIM-signed
/// as their author domain when <see cref="OutboundDeliveryOptions.DkimSign"/> is on, the domain has a key and the
/// message's writer may use the domain (see <see cref="DkimMessageSigner"/>).
/// </summary>
internal sealed partial class SmtpOutboundTransport : IAsyncDisposable
{
    private readonly IDnsResolver _dns;
    private readonly OutboundDeliveryOptions _options;
    private readonly string _hostname;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DkimMessageSigner? _signer;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _limits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentBag<OutboundSmtpClient>> _idle = new(StringComparer.Ordinal);

    public SmtpOutboundTransport(IDnsResolver dns, OutboundDeliveryOptions options, string hostname, TimeProvider time, ILogger logger, DkimMessageSigner? signer = null)
    {
        _dns = dns;
        _options = options;
        _hostname = hostname;
        _time = time;
        _logger = logger;
        _signer = signer;
    }

    /// <summary>How many connections were opened (reuse shows as fewer connections than transactions).</summary>
    public int ConnectionsOpened => _connectionsOpened;

    private int _connectionsOpened;

    /// <summary>Delivers one message to recipients of one destination; one outcome per recipient id.</summary>
    public async Task<Dictionary<long, OutboundOutcome>> DeliverAsync(
        OutboundDestination destination, QueuedMessage message, MimeMessage mime, IReadOnlyList<QueuedRecipient> recipients, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<long, OutboundOutcome>();
        DkimSigningKey? dkim = null;
        if (_signer is not null && _options.DkimSign)
        {
            try
            {
                dkim = await _signer.FindKeyAsync(message, mime, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException)
            {
                // Sending unsigned while the key or the account is merely unreadable would fail DMARC at receivers;
                // try again later.
                LogKeyStoreFailed(_logger, message.Id, ex.Message);
                foreach (var recipient in recipients)
                {
                    outcomes[recipient.Id] = OutboundOutcome.Temporary("451 4.3.0 The DKIM key store is unavailable");
                }

                return outcomes;
            }
        }

        var limit = _limits.GetOrAdd(destination.Key, _ => new SemaphoreSlim(Math.Max(1, _options.MaxConnectionsPerDestination)));
        await limit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var chunk in recipients.Chunk(Math.Max(1, _options.MaxRecipientsPerTransaction)))
            {
                var (client, failure) = await TakeClientAsync(destination, cancellationToken).ConfigureAwait(false);
                if (client is null)
                {
                    foreach (var recipient in chunk)
                    {
                        outcomes[recipient.Id] = failure!;
                    }

                    continue;
                }

                var keep = await SendAsync(client, message, mime, dkim, chunk, outcomes, cancellationToken).ConfigureAwait(false);
                if (keep)
                {
                    client.LastUsed = _time.GetUtcNow();
                    _idle.GetOrAdd(destination.Key, _ => []).Add(client);
                }
                else
                {
                    await CloseAsync(client).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            limit.Release();
        }

        return outcomes;
    }

    private async Task<bool> SendAsync(
        OutboundSmtpClient client,
        QueuedMessage message,
        MimeMessage mime,
        DkimSigningKey? dkim,
        QueuedRecipient[] recipients,
        Dictionary<long, OutboundOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        var mailboxes = new List<(MailboxAddress, QueuedRecipient)>();
        foreach (var recipient in recipients)
        {
            if (TryMailbox(recipient.Address, out var mailbox))
            {
                mailboxes.Add((mailbox, recipient));
            }
            else
            {
                outcomes[recipient.Id] = OutboundOutcome.Permanent("553 5.1.3 The recipient address cannot be sent on", client.HostName);
            }
        }

        if (mailboxes.Count == 0)
        {
            return true;
        }

        // RFC 5321 §4.5.5: the null reverse-path is written MAIL FROM:<>.
        var sender = message.ReversePath is { } reverse && TryMailbox(reverse, out var from) ? from : new MailboxAddress(string.Empty, string.Empty);
        client.Begin(message, mailboxes);
        client.Sign = dkim is null ? null : (format, prepared) => _signer!.Sign(dkim, prepared, format, message.Id);
        var tookDsn = client.Capabilities.HasFlag(SmtpCapabilities.Dsn);
        try
        {
            var reply = await client.SendAsync(FormatOptions.Default, mime, sender, mailboxes.Select(m => m.Item1), cancellationToken).ConfigureAwait(false);
            foreach (var (_, recipient) in mailboxes)
            {
                outcomes[recipient.Id] = client.Refused.TryGetValue(recipient.Id, out var refused)
                    ? Classify(refused, client.HostName)
                    : new OutboundOutcome(OutboundOutcomeKind.Delivered, "250 " + reply.ReplaceLineEndings(" "), client.HostName, tookDsn);
            }

            return true;
        }
        catch (SmtpCommandException ex)
        {
            var text = ((int)ex.StatusCode).ToString(CultureInfo.InvariantCulture) + " " + ex.Message.ReplaceLineEndings(" ");
            foreach (var (_, recipient) in mailboxes)
            {
                outcomes[recipient.Id] = client.Refused.TryGetValue(recipient.Id, out var refused) ? Classify(refused, client.HostName) : Classify(text, client.HostName);
            }

            // The server answered in order: the connection is still usable after RSET, which MailKit sends.
            return client.IsConnected;
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogTransportFailed(_logger, message.Id, client.HostName, ex.Message);
            foreach (var (_, recipient) in mailboxes)
            {
                outcomes[recipient.Id] = OutboundOutcome.Temporary("451 4.4.2 Connection to " + client.HostName + " failed during the transaction", client.HostName);
            }

            return false;
        }
        finally
        {
            // The signature belongs to this transaction: the next one (another destination, a later chunk) signs
            // the message afresh after MailKit has prepared it for that server.
            if (client.AddedSignature is { } signature)
            {
                mime.Headers.Remove(signature);
            }

            client.Sign = null;
        }
    }

    private static OutboundOutcome Classify(string reply, string host)
        => reply.StartsWith('5') ? OutboundOutcome.Permanent(reply, host) : OutboundOutcome.Temporary(reply, host);

    private static bool TryMailbox(string address, out MailboxAddress mailbox)
    {
        try
        {
            mailbox = new MailboxAddress(string.Empty, address);
            return true;
        }
        catch (ParseException)
        {
            mailbox = null!;
            return false;
        }
    }

    private async Task<(OutboundSmtpClient? Client, OutboundOutcome? Failure)> TakeClientAsync(OutboundDestination destination, CancellationToken cancellationToken)
    {
        if (_idle.TryGetValue(destination.Key, out var bag))
        {
            var now = _time.GetUtcNow();
            while (bag.TryTake(out var idle))
            {
                if (idle.IsConnected && now - idle.LastUsed < _options.ConnectionIdleTimeout)
                {
                    return (idle, null);
                }

                await CloseAsync(idle).ConfigureAwait(false);
            }
        }

        var last = "451 4.4.1 No answer from any host of the destination";
        var anyAddress = false;
        var lookupFailed = false;
        foreach (var host in destination.Hosts)
        {
            IReadOnlyList<IPAddress> addresses;
            if (host.Address is { } fixedAddress)
            {
                addresses = [fixedAddress];
            }
            else
            {
                var lookup = await _dns.ResolveAddressesAsync(host.Name, cancellationToken).ConfigureAwait(false);
                lookupFailed |= lookup.Status == DnsLookupStatus.TemporaryFailure;
                addresses = lookup.Records;
            }

            foreach (var address in addresses)
            {
                anyAddress = true;
                var (client, error) = await ConnectAsync(destination, host, address, cancellationToken).ConfigureAwait(false);
                if (client is not null)
                {
                    return (client, null);
                }

                last = error!;
            }
        }

        // RFC 5321 §5.1: a domain with neither MX nor address records cannot take mail.
        if (!anyAddress && destination.ImplicitMx && !lookupFailed)
        {
            return (null, OutboundOutcome.Permanent("550 5.1.2 The recipient domain has no mail server (no MX, A or AAAA records)"));
        }

        return (null, OutboundOutcome.Temporary(last));
    }

    private async Task<(OutboundSmtpClient? Client, string? Error)> ConnectAsync(OutboundDestination destination, OutboundHost host, IPAddress address, CancellationToken cancellationToken)
    {
        var client = new OutboundSmtpClient(destination.Key, host.Name)
        {
            LocalDomain = _hostname,
            Timeout = (int)Math.Min(int.MaxValue, _options.CommandTimeout.TotalMilliseconds),
            CheckCertificateRevocation = false,
        };
        if (destination.Tls == OutboundTlsMode.Opportunistic)
        {
#pragma warning disable CA5359 // RFC 7435 opportunistic security: MX hosts rarely have certificates that validate; encryption without authentication still beats plain text.
            client.ServerCertificateValidationCallback = AcceptAnyCertificate;
#pragma warning restore CA5359
        }
        else if (destination.CertificateFingerprint is { Length: > 0 } pinned)
        {
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None
                || (certificate is not null && string.Equals(Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())), pinned.Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.CommandTimeout);
                await socket.ConnectAsync(new IPEndPoint(address, host.Port), timeout.Token).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _connectionsOpened);
            var secure = destination.Tls switch
            {
                OutboundTlsMode.Opportunistic => SecureSocketOptions.StartTlsWhenAvailable,
                OutboundTlsMode.StartTls => SecureSocketOptions.StartTls,
                OutboundTlsMode.Implicit => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(socket, host.Name, host.Port, secure, cancellationToken).ConfigureAwait(false);
            if (destination.Username is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, destination.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            return (client, null);
        }
        catch (Exception ex) when (ex is SocketException or IOException or SmtpProtocolException or SmtpCommandException or System.Security.Authentication.AuthenticationException
            or MailKit.Security.AuthenticationException or SslHandshakeException or NotSupportedException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogConnectFailed(_logger, host.Name, address.ToString(), host.Port, ex.Message);
            socket.Dispose();
            client.Dispose();
            var code = ex is SmtpCommandException command ? ((int)command.StatusCode).ToString(CultureInfo.InvariantCulture) : "451";
            return (null, (code.StartsWith('4') || code.StartsWith('5') ? "451" : code) + " 4.4.1 Cannot deliver through " + host.Name + ": " + ex.Message.ReplaceLineEndings(" "));
        }
    }

#pragma warning disable CA5359 // RFC 7435 opportunistic security: MX hosts rarely have certificates that validate; encryption without authentication still beats plain text.
    private static bool AcceptAnyCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors) => true;
#pragma warning restore CA5359

    private static async Task CloseAsync(OutboundSmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(quit: true, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // Closing anyway.
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var bag in _idle.Values)
        {
            while (bag.TryTake(out var client))
            {
                await CloseAsync(client).ConfigureAwait(false);
            }
        }

        foreach (var limit in _limits.Values)
        {
            limit.Dispose();
        }
    }

    [LoggerMessage(3020, LogLevel.Information, "Outbound connection to {Host} ({Address}:{Port}) failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string host, string address, int port, string reason);

    [LoggerMessage(3022, LogLevel.Warning, "Outbound {MessageId}: the DKIM key store or the account directory failed, delivery deferred: {Reason}")]
    private static partial void LogKeyStoreFailed(ILogger logger, string messageId, string reason);

    [LoggerMessage(3021, LogLevel.Information, "Outbound transaction for {MessageId} with {Host} failed: {Reason}")]
    private static partial void LogTransportFailed(ILogger logger, string messageId, string host, string reason);
}
