using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailHost.Dns;
using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.DnsLists;

/// <summary>
/// The DNS block list and allow list filter (RFC 5782). At connect it asks every configured list about
/// <see cref="InboundFilterSession.ClientAddress"/> at once (an A query for the reversed address in the list's zone)
/// and answers: <see cref="InboundFilterAction.Allow"/> when an allow list lists the client; otherwise, when a block
/// list does, a <c>554 5.7.1</c> refusal with the list's TXT reason or <see cref="InboundFilterAction.Junk"/> with an
/// <c>X-DNSBL</c> field; otherwise accept. A list that does not answer (temporary failure, time-out) leaves the
/// verdict open unless another list decides: then the filter throws and the pipeline applies
/// <see cref="InboundFilterPolicy.OnFailure"/>. Verdicts are cached per client address.
/// </summary>
/// <remarks>
/// Loopback and private clients are asked about like any other: RFC 5782 §5 makes every IPv4 list list 127.0.0.2,
/// which is how an end-to-end test sees a refusal, and a list simply does not list addresses it does not know.
/// </remarks>
internal sealed class DnsListFilter : IInboundMessageFilter
{
    /// <summary>The header field a junk listing adds (<c>X-DNSBL: zone listed address</c>), as SpamAssassin-era filters did.</summary>
    public const string HeaderName = "X-DNSBL";

    private const int OutsideLoopbackWarning = 1;
    private const int RefusedWarning = 2;
    private const int NoAnswerWarning = 3;

    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(5);
    private static readonly InboundFilterVerdict NoClientAddress = InboundFilterVerdict.Of(InboundFilterAction.Accept, "no client address");

    private readonly DnsListOptions _options;
    private readonly IDnsResolver _resolver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConfiguredDnsList[] _lists;
    private readonly int _allowListCount;
    private readonly DnsListCache _cache;
    private readonly DnsListWarningLimiter _warnings;
    private readonly TimeSpan _lookupLimit;
    private readonly TimeSpan _reasonLimit;

    /// <summary>Creates the filter over validated <paramref name="options"/> (see <see cref="DnsListOptionsValidation"/>).</summary>
    public DnsListFilter(DnsListOptions options, IDnsResolver resolver, TimeProvider time, ILogger<DnsListFilter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _resolver = resolver;
        _time = time;
        _logger = logger;

        // Allow lists first: their position is what lets them outweigh block lists when answers are sorted.
        _lists =
        [
            .. options.AllowLists.Select((zone, i) => new ConfiguredDnsList(zone, isAllowList: true, i)),
            .. options.BlockLists.Select((zone, i) => new ConfiguredDnsList(zone, isAllowList: false, options.AllowLists.Count + i)),
        ];
        _allowListCount = options.AllowLists.Count;
        _cache = new DnsListCache(time, options.CacheTime, options.CacheSize);
        _warnings = new DnsListWarningLimiter(time, WarningInterval);

        // The pipeline gives up on the whole stage at Timeout. Each list gets three quarters of it, so that when one
        // list hangs the others' answers still decide; the TXT reason of a listing gets a fifth.
        _lookupLimit = options.Timeout * 0.75;
        _reasonLimit = options.Timeout * 0.2;
    }

    public string Name => "dnslists";

    public InboundFilterPolicy Policy => _options;

    /// <summary>The verdicts held by the cache (for tests).</summary>
    internal int CachedAddresses => _cache.Count;

    public async ValueTask<InboundFilterVerdict> ConnectAsync(InboundFilterSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.ClientAddress is null)
        {
            return NoClientAddress;
        }

        var address = DnsListQueryName.Normalize(session.ClientAddress);
        var addressText = address.ToString();
        if (_cache.TryGet(address, out var cached))
        {
            DnsListLog.Cached(_logger, addressText, cached.Summary);
            return cached;
        }

        var verdict = await LookUpAsync(address, addressText, cancellationToken).ConfigureAwait(false);
        _cache.Add(address, verdict);
        return verdict;
    }

    private async Task<InboundFilterVerdict> LookUpAsync(IPAddress address, string addressText, CancellationToken cancellationToken)
    {
        var reversed = DnsListQueryName.ReversedAddress(address);
        List<DnsListAnswer> answers = new(_lists.Length);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var lookups = _lists.Select(list => AskAsync(list, DnsListQueryName.For(reversed, list.Zone), stop.Token, cancellationToken)).ToArray();
            await foreach (var lookup in Task.WhenEach(lookups).ConfigureAwait(false))
            {
                var answer = await lookup.ConfigureAwait(false);
                answers.Add(answer);
                LogProblem(answer);
                if (IsDecided(answers))
                {
                    break;
                }
            }

            // Lists still asked are not needed any more.
            await stop.CancelAsync().ConfigureAwait(false);
        }

        answers.Sort(static (a, b) => a.List.Position.CompareTo(b.List.Position));
        if (answers.Find(a => a.List.IsAllowList && a.Kind == DnsListAnswerKind.Listed) is { } allowed)
        {
            DnsListLog.Allowed(_logger, addressText, allowed.List.Zone, DescribeCodes(allowed));
            return InboundFilterVerdict.Of(
                _options.AllowListSkipsOtherFilters ? InboundFilterAction.Allow : InboundFilterAction.Accept,
                "allowed by " + allowed.List.Zone);
        }

        var blocked = answers.FindAll(a => a.Kind == DnsListAnswerKind.Listed);
        var unknown = answers.FindAll(a => a.Kind == DnsListAnswerKind.Unknown);

        // A block listing decides only when every allow list answered: one that did not might have outweighed it.
        if (blocked.Count > 0 && !unknown.Exists(a => a.List.IsAllowList))
        {
            return await BlockAsync(blocked, addressText, cancellationToken).ConfigureAwait(false);
        }

        if (unknown.Count > 0)
        {
            var missing = string.Join("; ", unknown.Select(a => $"{a.List.Zone}: {a.Problem}"));
            var listed = blocked.Count > 0 ? $"; listed by {string.Join(", ", blocked.Select(a => a.List.Zone))}, which an allow list that did not answer could outweigh" : "";
            throw new DnsListUnavailableException($"No DNS list verdict on {addressText}: no answer from {missing}{listed}.");
        }

        var summary = NotListedSummary(answers);
        DnsListLog.NotListed(_logger, addressText, summary);
        return InboundFilterVerdict.Of(InboundFilterAction.Accept, summary);
    }

    /// <summary>Whether the answers so far decide, whatever the lists still asked say.</summary>
    private bool IsDecided(List<DnsListAnswer> answers)
    {
        if (answers.Exists(a => a.List.IsAllowList && a.Kind == DnsListAnswerKind.Listed))
        {
            return true;
        }

        // A rejecting listing is the strongest verdict once no allow list can outweigh it; a junk listing is not
        // final while a rejecting list may still answer.
        var allowListsAnswered = answers.Count(a => a.List.IsAllowList && a.Kind != DnsListAnswerKind.Unknown) == _allowListCount;
        return allowListsAnswered
            && answers.Exists(a => !a.List.IsAllowList && a.Kind == DnsListAnswerKind.Listed && a.List.Action == DnsListAction.Reject);
    }

    private async Task<InboundFilterVerdict> BlockAsync(List<DnsListAnswer> blocked, string addressText, CancellationToken cancellationToken)
    {
        var deciding = blocked.Find(a => a.List.Action == DnsListAction.Reject) ?? blocked[0];
        var reason = await ReadReasonAsync(deciding, cancellationToken).ConfigureAwait(false);
        foreach (var hit in blocked)
        {
            DnsListLog.Listed(_logger, addressText, hit.List.Zone, DescribeCodes(hit), hit.List.Action, hit == deciding ? reason ?? "none given" : "not looked up");
        }

        var summary = "listed by " + string.Join(", ", blocked.Select(a => $"{a.List.Zone} ({DescribeCodes(a)})"));
        if (deciding.List.Action == DnsListAction.Reject)
        {
            var text = DnsListReplyText.Format(
                _options.ReplyText,
                addressText,
                deciding.List.Zone,
                string.Join(", ", deciding.Matches.Select(m => m.Key)),
                string.Join(", ", deciding.Matches.Select(m => m.Value).Where(l => l.Length > 0)),
                reason);

            // RFC 5321 §3.1: a server that refuses the session at connect greets with 554.
            return InboundFilterVerdict.Reject(text, 554, "5.7.1") with { Summary = summary };
        }

        return InboundFilterVerdict.Of(InboundFilterAction.Junk, summary)
            .WithHeaders(blocked.Select(a => InboundHeaderChange.Add(HeaderName, $"{a.List.Zone} listed {addressText}")));
    }

    private async Task<DnsListAnswer> AskAsync(ConfiguredDnsList list, string queryName, CancellationToken stop, CancellationToken caller)
    {
        using var deadline = new CancellationTokenSource(_lookupLimit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
        try
        {
            // RFC 5782 §2.1: a listing is an A record; the TXT record is asked for only once an address is listed.
            // WaitAsync as well as the token: a resolver that ignores cancellation must not hold the verdict.
            var lookup = await _resolver.ResolveAddressesAsync(queryName, AddressFamily.InterNetwork, linked.Token).AsTask()
                .WaitAsync(linked.Token).ConfigureAwait(false);
            return DnsListAnswer.From(list, queryName, lookup);
        }
        catch (OperationCanceledException) when (caller.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return DnsListAnswer.Unknown(list, queryName, $"no answer within {_lookupLimit.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s");
        }
        catch (OperationCanceledException)
        {
            return DnsListAnswer.Unknown(list, queryName, "not needed: other lists decided");
        }
#pragma warning disable CA1031 // Resolvers answer failures as values; one that throws anyway must not outweigh the other lists.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return DnsListAnswer.Unknown(list, queryName, ex.Message);
        }
    }

    /// <summary>The list's TXT record for the listing, cleaned for a reply; null when it has none or does not answer in time.</summary>
    private async Task<string?> ReadReasonAsync(DnsListAnswer listing, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_reasonLimit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var txt = await _resolver.ResolveTxtAsync(listing.QueryName, linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
            return txt.Status == DnsLookupStatus.Found
                ? DnsListReplyText.Clean(string.Join(" ", txt.Records), DnsListReplyText.MaxReasonLength)
                : null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The reason is a courtesy to the sender: without it the refusal still stands.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private void LogProblem(DnsListAnswer answer)
    {
        var zone = answer.List.Zone;
        switch (answer.Kind)
        {
            case DnsListAnswerKind.Error when answer.OutsideLoopback:
                if (_warnings.ShouldLog(zone, OutsideLoopbackWarning, out var held))
                {
                    DnsListLog.AnswerOutsideLoopback(_logger, zone, answer.Problem ?? "", answer.QueryName, held);
                }

                break;
            case DnsListAnswerKind.Error:
                if (_warnings.ShouldLog(zone, RefusedWarning, out held))
                {
                    DnsListLog.QueryRefused(_logger, zone, answer.Problem ?? "", answer.QueryName, held);
                }

                break;
            case DnsListAnswerKind.Unknown:
                if (_warnings.ShouldLog(zone, NoAnswerWarning, out held))
                {
                    DnsListLog.NoAnswer(_logger, zone, answer.QueryName, answer.Problem ?? "", held);
                }

                break;
            default:
                break;
        }
    }

    /// <summary><c>127.0.0.2 SBL, 127.0.0.4</c>: the answers that counted, with their labels.</summary>
    private static string DescribeCodes(DnsListAnswer answer)
        => string.Join(", ", answer.Matches.Select(m => m.Value.Length > 0 ? $"{m.Key} {m.Value}" : m.Key.ToString()));

    private string NotListedSummary(List<DnsListAnswer> answers)
    {
        var summary = $"not listed ({_lists.Length} {(_lists.Length == 1 ? "list" : "lists")})";
        var errors = answers.FindAll(a => a.Kind == DnsListAnswerKind.Error);
        return errors.Count == 0
            ? summary
            : summary + "; errors: " + string.Join(", ", errors.Select(a => $"{a.List.Zone} answered {a.Problem}"));
    }
}
