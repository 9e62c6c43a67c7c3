using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.ClamAv;

/// <summary>
/// The ClamAV virus filter: at the message stage, streams the message to clamd (<see cref="ClamdClient"/>) and maps
/// its verdict. A virus refuses the message with <c>554 5.7.1</c>; a clean message gets <c>X-Virus-Scanned</c> and
/// <c>X-Virus-Status: Clean</c>; a message clamd will not take for its size is accepted unscanned and says so. Every
/// other answer, and an unreachable clamd, throws: the pipeline applies <see cref="InboundFilterPolicy.OnFailure"/>.
/// </summary>
internal sealed class ClamAvFilter : IInboundMessageFilter
{
    /// <summary>Says who scanned the message: <c>ClamAV on &lt;server name&gt;</c>, or <see cref="SkippedTooLarge"/>.</summary>
    public const string ScannedField = "X-Virus-Scanned";

    /// <summary><c>Clean</c> after a scan; removed from a message that was not scanned.</summary>
    public const string StatusField = "X-Virus-Status";

    /// <summary>The <see cref="ScannedField"/> of a message too large to scan.</summary>
    public const string SkippedTooLarge = "skipped (too large)";

    private readonly ClamAvOptions _options;
    private readonly ClamdClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public ClamAvFilter(ClamAvOptions options, ClamdClient client, ILogger<ClamAvFilter> logger, TimeProvider timeProvider)
    {
        _options = options;
        _client = client;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    public string Name => "clamav";

    public InboundFilterPolicy Policy => _options;

    public async ValueTask<InboundFilterVerdict> MessageAsync(
        InboundFilterSession session, InboundFilterEnvelope envelope, InboundFilterMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length > _options.MaxScanSize)
        {
            ClamAvLog.TooLarge(_logger, envelope.TransactionId, message.Length, _options.MaxScanSize);
            return Skipped(string.Create(CultureInfo.InvariantCulture, $"skipped: {message.Length} octets exceed MaxScanSize {_options.MaxScanSize}"));
        }

        var started = _timeProvider.GetTimestamp();
        ClamdScanResult result;
        var content = await message.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            result = await _client.ScanAsync(content, cancellationToken).ConfigureAwait(false);
        }

        switch (result.Status)
        {
            case ClamdScanStatus.Clean:
                ClamAvLog.Clean(_logger, envelope.TransactionId, message.Length, _client.Address.ToString(), _timeProvider.GetElapsedTime(started));
                return new InboundFilterVerdict { Action = InboundFilterAction.Accept, Summary = "clean" }.WithHeaders(
                    // Replace, not add: a sender's own "X-Virus-Status: Clean" must not survive beside ours.
                    InboundHeaderChange.Replace(ScannedField, "ClamAV on " + session.ServerName),
                    InboundHeaderChange.Replace(StatusField, "Clean"));

            case ClamdScanStatus.Infected:
                // The name is printable ASCII of at most 100 characters already (ClamdReply): safe in an SMTP reply.
                var name = result.Detail!;
                ClamAvLog.VirusFound(_logger, envelope.TransactionId, envelope.Sender, session.ClientAddress?.ToString(), name);
                return InboundFilterVerdict.Reject($"Message rejected: virus found ({name})", 554, "5.7.1") with { Summary = "virus=" + name };

            case ClamdScanStatus.SizeLimitExceeded:
                ClamAvLog.StreamMaxLengthExceeded(_logger, _client.Address.ToString(), envelope.TransactionId, message.Length, _options.MaxScanSize);
                return Skipped("skipped: larger than clamd's StreamMaxLength");

            case ClamdScanStatus.Error:
                throw new ClamdException($"clamd at {_client.Address} could not scan the message: {result.Detail}");

            default:
                throw new ClamdException($"clamd at {_client.Address} gave a reply that is no INSTREAM answer: '{result.Detail}'");
        }
    }

    /// <summary>Accepts unscanned, saying so; a sender's X-Virus-Status goes, as nothing here vouches for it.</summary>
    private static InboundFilterVerdict Skipped(string summary)
        => new InboundFilterVerdict { Action = InboundFilterAction.Accept, Summary = summary }.WithHeaders(
            InboundHeaderChange.Replace(ScannedField, SkippedTooLarge),
            InboundHeaderChange.Remove(StatusField));
}
