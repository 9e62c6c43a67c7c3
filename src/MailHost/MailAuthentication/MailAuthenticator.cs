using System.Text;
using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.Protocols.MailAuthentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.IO;

namespace MailHost.MailAuthentication;

/// <summary>
/// Checks a received message: SPF for the MAIL FROM (and optionally HELO) identity, its DKIM signatures, and
/// DMARC for its From domain; then writes the Authentication-Results field (RFC 8601) and decides the
/// disposition. Never throws for anything about the message or DNS: failures become temperror results, and
/// a message is never refused for a temporary error unless configured.
/// </summary>
internal sealed class MailAuthenticator
{
    /// <summary>The prefix given to incoming Authentication-Results fields that claim this server's authserv-id (RFC 8601 §5).</summary>
    public const string ForgedFieldPrefix = "X-Original-";

    private readonly IDnsResolver _resolver;
    private readonly string _hostname;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<int> _percentRoll;
    private readonly DnsResolverHealth _resolverHealth;

    /// <summary>Creates the authenticator from the host's options; reads the Public Suffix List once.</summary>
    /// <exception cref="MailHostConfigurationException">An option is out of range, or a configured Public Suffix List path does not exist.</exception>
    public MailAuthenticator(
        IDnsResolver resolver,
        IOptions<MailAuthenticationOptions> options,
        IOptions<MailHostOptions> hostOptions,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostOptions);
        _resolver = resolver;
        Options = options.Value;
        Validate(Options);
        _hostname = hostOptions.Value.Hostname;
        _timeProvider = timeProvider;
        _logger = loggerFactory?.CreateLogger<MailAuthenticator>() ?? NullLogger<MailAuthenticator>.Instance;
        _percentRoll = () => Random.Shared.Next(100);
        PublicSuffixes = LoadPublicSuffixes(Options, _logger);
        _resolverHealth = new DnsResolverHealth(Options.DnsFailFastAfter, Options.DnsFailFastProbeInterval, timeProvider, _logger);
    }

    /// <summary>A test seam: explicit suffix list and <c>pct</c> sampling (a number 0 to 99 per failing message).</summary>
    internal MailAuthenticator(IDnsResolver resolver, MailAuthenticationOptions options, string hostname, TimeProvider timeProvider, PublicSuffixList suffixes, Func<int> percentRoll, ILogger? logger = null)
    {
        _resolver = resolver;
        Options = options;
        _hostname = hostname;
        _timeProvider = timeProvider;
        _percentRoll = percentRoll;
        _logger = logger ?? NullLogger.Instance;
        PublicSuffixes = suffixes;
        _resolverHealth = new DnsResolverHealth(options.DnsFailFastAfter, options.DnsFailFastProbeInterval, timeProvider, _logger);
    }

    /// <summary>The options in effect.</summary>
    public MailAuthenticationOptions Options { get; }

    /// <summary>The Public Suffix List in use (the configured or system file, or <see cref="PublicSuffixList.Fallback"/>).</summary>
    public PublicSuffixList PublicSuffixes { get; }

    /// <summary>Whether DNS lookups fail at once because the resolver left the last ones unanswered.</summary>
    internal bool IsFailingFast => _resolverHealth.IsFailingFast;

    /// <summary>
    /// Authenticates one message. <paramref name="message"/> is the content as the client sent it (no trace fields
    /// of this server); a seekable stream is parsed in place (only the header is held in memory). The stream is
    /// read, not disposed.
    /// </summary>
    public async ValueTask<MailAuthenticationResult> AuthenticateAsync(MailAuthenticationRequest request, Stream message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(message);
        var messageId = request.MessageId ?? "-";
        using var budget = new CancellationTokenSource(Options.TimeBudget, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        var dns = new MailAuthenticationDns(_resolver, Options.DnsTimeout, _timeProvider, linked.Token, _resolverHealth);
        MailAuthenticationResult result;
        try
        {
            result = await AuthenticateCoreAsync(request, message, dns, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Authentication must never lose mail: an unexpected fault is logged and reported as temperror.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            MailAuthenticationLog.Failed(_logger, messageId, ex);
            result = Faulted();
        }

        MailAuthenticationLog.Verdict(
            _logger,
            messageId,
            Keyword(result.Spf.Result),
            result.Dkim.Count == 0 ? "none" : string.Join(',', result.Dkim.Select(d => Keyword(d.Result) + ":" + (d.Domain ?? "?"))),
            Keyword(result.Dmarc.Result),
            result.Dmarc.FromDomain ?? "-",
            result.Disposition.ToString(),
            dns.Queries);
        return result;
    }

    /// <summary>
    /// Authenticates spooled content laid out as <c>[Return-Path][Received][client content]</c> and returns the
    /// result with the stream to store: <c>[Return-Path][Authentication-Results][Received][client content]</c>, the
    /// client content unchanged except that the fields at <paramref name="forgedOffsets"/> (relative to the client
    /// content, see <see cref="ForgedAuthenticationResults"/>) get the <c>X-Original-</c> prefix.
    /// RFC 5321 §4.4 keeps Return-Path on top (added at final delivery); the Authentication-Results field is added
    /// after this server's Received and, as a trace field, above it (RFC 8601 §5, RFC 5322 §3.6.7).
    /// </summary>
    internal async ValueTask<(MailAuthenticationResult Result, Stream Content)> AuthenticateSpooledAsync(
        MailAuthenticationRequest request, Stream spool, long returnPathLength, long contentOffset, IReadOnlyList<long> forgedOffsets, CancellationToken cancellationToken)
    {
        var length = spool.Length;
        var result = await AuthenticateSpooledContentAsync(request, spool, contentOffset, cancellationToken).ConfigureAwait(false);
        var segments = new List<MessageSegment>
        {
            MessageSegment.Range(0, returnPathLength),
            MessageSegment.Literal(Encoding.ASCII.GetBytes(result.HeaderField)),
        };
        ForgedAuthenticationResults.AppendRenamed(segments, returnPathLength, length, contentOffset, forgedOffsets);
        return (result, new MessageSegmentStream(spool, segments));
    }

    /// <summary>
    /// Checks the client's content of a spool (from <paramref name="contentOffset"/>) and returns the result only;
    /// the caller composes the stored message with <see cref="MailAuthenticationResult.HeaderField"/>.
    /// </summary>
    internal async ValueTask<MailAuthenticationResult> AuthenticateSpooledContentAsync(
        MailAuthenticationRequest request, Stream spool, long contentOffset, CancellationToken cancellationToken)
    {
        using var content = new BoundStream(spool, contentOffset, spool.Length, leaveOpen: true);
        return await AuthenticateAsync(request, content, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<MailAuthenticationResult> AuthenticateCoreAsync(MailAuthenticationRequest request, Stream message, MailAuthenticationDns dns, CancellationToken cancellationToken)
    {
        var size = message.CanSeek ? message.Length - message.Position : -1;
        MimeMessage? parsed = null;
        try
        {
            try
            {
                var parser = ParserOptions.Default.Clone();

                // SECURITY C8: authentication needs the header fields (SPF, DMARC, the DKIM-Signature fields and what
                // they sign) and the body as bytes (RFC 6376 §3.7 hashes the body as sent), never its MIME structure.
                // At depth 0 the whole body is one leaf part, a window on the stream (persistent parse), so a body of
                // many thousands of parts costs one pass over its bytes instead of an object tree of every part.
                parser.MaxMimeDepth = 0;
                parsed = await MimeMessage.LoadAsync(parser, message, persistent: message.CanSeek, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException)
            {
                parsed = null;
            }

            // SPF and DKIM do not depend on each other: run them side by side within the one budget. An address
            // literal as MAIL FROM domain is no domain name: SPF gives none for it (RFC 7208 §4.3).
            var mailFrom = request.MailFrom;
            var mailFromDomain = mailFrom is null ? null : mailFrom.AddressLiteral is null ? mailFrom.Domain : "";
            var spfTask = SpfEvaluator.CheckMailFromAsync(dns, Options.SpfVoidLookupLimit, request.ClientAddress, mailFrom?.LocalPart, mailFromDomain, request.HeloIdentity).AsTask();
            var heloTask = CheckHeloAsync();
            var tooLarge = size > Options.MaxVerifiedMessageSize ? $"message larger than {Options.MaxVerifiedMessageSize} octets is not verified" : null;
            var dkimTask = parsed is null
                ? Task.FromResult<IReadOnlyList<DkimVerdict>>([])
                : new DkimEvaluator(dns, _timeProvider).VerifyAsync(parsed, Options.MaxDkimSignatures, tooLarge, cancellationToken).AsTask();

            // WhenAll observes every task's fault, so none is left unobserved when one fails.
            await Task.WhenAll(spfTask, heloTask, dkimTask).ConfigureAwait(false);
            var spf = await spfTask.ConfigureAwait(false);
            var helo = await heloTask.ConfigureAwait(false);
            var dkim = await dkimTask.ConfigureAwait(false);

            DmarcVerdict dmarc;
            var (fromDomain, fromProblem) = parsed is null ? (null, "the message header could not be parsed") : AuthorDomain(parsed);
            if (fromDomain is null)
            {
                // RFC 7489 §6.6.1: without exactly one author domain DMARC cannot be applied.
                dmarc = new DmarcVerdict(DmarcResult.PermError, null, fromProblem!);
            }
            else
            {
                dmarc = await new DmarcEvaluator(dns, PublicSuffixes, _percentRoll).EvaluateAsync(fromDomain, spf, dkim).ConfigureAwait(false);
            }

            var disposition = Disposition(dmarc);
            return new MailAuthenticationResult
            {
                Spf = spf,
                Helo = helo,
                Dkim = dkim,
                Dmarc = dmarc,
                Disposition = disposition,
                HeaderField = FormatHeader(spf, helo, dkim, dmarc, disposition),
                ForgedFieldOffsets = parsed is null ? [] : ForgedAuthenticationResults.Find(parsed.Headers, _hostname),
            };
        }
        finally
        {
            parsed?.Dispose();
        }

        async Task<SpfVerdict?> CheckHeloAsync()
            => Options.CheckHelo && request.MailFrom is not null
                ? await SpfEvaluator.CheckHeloAsync(dns, Options.SpfVoidLookupLimit, request.ClientAddress, request.HeloIdentity).ConfigureAwait(false)
                : null;
    }

    /// <summary>RFC 7489 §6.6.1: one From field with mailboxes of one domain; anything else has no author domain.</summary>
    private static (string? Domain, string? Problem) AuthorDomain(MimeMessage message)
    {
        var fields = message.Headers.Where(h => h.Id == HeaderId.From).ToList();
        if (fields.Count != 1)
        {
            return (null, fields.Count == 0 ? "the message has no From field" : "the message has several From fields");
        }

        if (!InternetAddressList.TryParse(ParserOptions.Default, fields[0].RawValue, out var addresses))
        {
            return (null, "the From field cannot be parsed");
        }

        var domains = addresses.Mailboxes.Select(m => MailDomainName.Normalize(m.Domain)).Distinct(StringComparer.Ordinal).ToList();
        return domains switch
        {
            [] => (null, "the From field has no address"),
            [null] => (null, "the From domain is not a valid domain name"),
            [var one] => (one, null),
            _ => (null, "the From field has addresses in several domains"),
        };
    }

    private MailAuthenticationDisposition Disposition(DmarcVerdict dmarc)
    {
        if (!Options.DmarcEnforcement)
        {
            return MailAuthenticationDisposition.Accept;
        }

        return dmarc.Result switch
        {
            DmarcResult.Fail when dmarc.AppliedPolicy == DmarcPolicy.Reject => MailAuthenticationDisposition.Reject,
            DmarcResult.Fail when dmarc.AppliedPolicy == DmarcPolicy.Quarantine => MailAuthenticationDisposition.Quarantine,
            DmarcResult.TempError when Options.DeferOnTemporaryError => MailAuthenticationDisposition.Defer,
            _ => MailAuthenticationDisposition.Accept,
        };
    }

    private string FormatHeader(SpfVerdict spf, SpfVerdict? helo, IReadOnlyList<DkimVerdict> dkim, DmarcVerdict dmarc, MailAuthenticationDisposition disposition)
    {
        var methods = new List<AuthenticationResultsMethod> { Spf(spf) };
        if (helo is not null)
        {
            methods.Add(Spf(helo));
        }

        if (dkim.Count == 0)
        {
            methods.Add(new AuthenticationResultsMethod("dkim", "none") { Comment = "message not signed" });
        }

        foreach (var signature in dkim)
        {
            List<AuthenticationResultsProperty> properties = [];
            if (signature.Domain is not null)
            {
                properties.Add(new("header", "d", signature.Domain));
            }

            if (signature.Selector is not null)
            {
                properties.Add(new("header", "s", signature.Selector));
            }

            methods.Add(new AuthenticationResultsMethod("dkim", Keyword(signature.Result)) { Comment = signature.Reason, Properties = properties });
        }

        var dmarcComment = dmarc.Reason;
        if (dmarc.RequestedPolicy is { } requested)
        {
            var applied = disposition switch
            {
                MailAuthenticationDisposition.Reject => "reject",
                MailAuthenticationDisposition.Quarantine => "quarantine",
                _ => "none",
            };
            dmarcComment = $"p={Keyword(requested)} dis={applied}; {dmarc.Reason}";
        }

        methods.Add(new AuthenticationResultsMethod("dmarc", Keyword(dmarc.Result))
        {
            Comment = dmarcComment,
            Properties = dmarc.FromDomain is null ? [] : [new("header", "from", dmarc.FromDomain)],
        });
        return AuthenticationResultsField.Format(_hostname, methods);

        static AuthenticationResultsMethod Spf(SpfVerdict verdict)
        {
            var value = verdict.Identity == "helo" ? verdict.Domain : verdict.Sender ?? verdict.Domain;
            return new AuthenticationResultsMethod("spf", Keyword(verdict.Result))
            {
                Comment = verdict.Reason,
                Properties = value is null ? [] : [new("smtp", verdict.Identity, value)],
            };
        }
    }

    private MailAuthenticationResult Faulted()
    {
        var spf = new SpfVerdict(SpfResult.TempError, "mailfrom", null, null, "internal error");
        var dmarc = new DmarcVerdict(DmarcResult.TempError, null, "internal error");
        return new MailAuthenticationResult
        {
            Spf = spf,
            Dkim = [new DkimVerdict(DkimResult.TempError, null, null, "internal error")],
            Dmarc = dmarc,
            Disposition = MailAuthenticationDisposition.Accept,
            HeaderField = AuthenticationResultsField.Format(_hostname, [
                new AuthenticationResultsMethod("spf", "temperror") { Comment = "internal error" },
                new AuthenticationResultsMethod("dkim", "temperror") { Comment = "internal error" },
                new AuthenticationResultsMethod("dmarc", "temperror") { Comment = "internal error" }]),
        };
    }

    /// <summary>Start-up checks, so a bad value is reported by its key instead of failing every message.</summary>
    private static void Validate(MailAuthenticationOptions options)
    {
        static void Check(bool valid, string name, string problem)
        {
            if (!valid)
            {
                throw MailHostConfigurationException.For(MailAuthenticationOptions.SectionName + ":" + name, problem);
            }
        }

        Check(options.DnsTimeout > TimeSpan.Zero && options.DnsTimeout <= TimeSpan.FromHours(1), nameof(options.DnsTimeout), "must be a positive time span of at most an hour, such as 00:00:05.");
        Check(options.TimeBudget > TimeSpan.Zero && options.TimeBudget <= TimeSpan.FromHours(1), nameof(options.TimeBudget), "must be a positive time span of at most an hour, such as 00:00:20.");
        Check(options.DnsFailFastAfter >= 0, nameof(options.DnsFailFastAfter), "must be 0 (off) or more lookups.");
        Check(options.DnsFailFastProbeInterval > TimeSpan.Zero && options.DnsFailFastProbeInterval <= TimeSpan.FromHours(1), nameof(options.DnsFailFastProbeInterval), "must be a positive time span of at most an hour, such as 00:00:30.");
        Check(options.MaxDkimSignatures >= 0, nameof(options.MaxDkimSignatures), "must be 0 or more.");
        Check(options.MaxVerifiedMessageSize >= 0, nameof(options.MaxVerifiedMessageSize), "must be 0 or more octets.");
        Check(options.SpfVoidLookupLimit >= 0, nameof(options.SpfVoidLookupLimit), "must be 0 or more (RFC 7208 recommends 2).");
    }

    private static PublicSuffixList LoadPublicSuffixes(MailAuthenticationOptions options, ILogger logger)
    {
        var configured = !string.IsNullOrWhiteSpace(options.PublicSuffixListPath);
        var path = configured ? options.PublicSuffixListPath! : MailAuthenticationOptions.DefaultPublicSuffixListPath;
        if (!File.Exists(path))
        {
            if (configured)
            {
                throw MailHostConfigurationException.For(
                    MailAuthenticationOptions.SectionName + ":" + nameof(MailAuthenticationOptions.PublicSuffixListPath),
                    $"the file '{path}' does not exist. Download https://publicsuffix.org/list/public_suffix_list.dat there, or remove the setting to use {MailAuthenticationOptions.DefaultPublicSuffixListPath} or the built-in fallback.");
            }

            MailAuthenticationLog.SuffixListMissing(logger, path);
            return PublicSuffixList.Fallback;
        }

        try
        {
            var list = PublicSuffixList.Parse(File.ReadLines(path));
            MailAuthenticationLog.SuffixListLoaded(logger, path, list.RuleCount);
            return list;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (configured)
            {
                throw MailHostConfigurationException.For(
                    MailAuthenticationOptions.SectionName + ":" + nameof(MailAuthenticationOptions.PublicSuffixListPath),
                    $"the file '{path}' cannot be read ({ex.Message}).",
                    ex);
            }

            MailAuthenticationLog.SuffixListUnreadable(logger, path, ex);
            return PublicSuffixList.Fallback;
        }
    }

    private static string Keyword<T>(T value)
        where T : struct, Enum
        => value.ToString().ToLowerInvariant();
}
