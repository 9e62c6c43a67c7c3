using System.Net;
using MailHost.Dns;
using MailHost.Filtering;
using MailHost.Filtering.DnsLists;
using MailHost.Hosting;
using MailHost.Tests.Delivery;
using MailHost.Tests.Logins;

namespace MailHost.Tests.Filtering.DnsLists;

/// <summary>A DNS list filter over a fake zone, a manual clock and a log that keeps every line.</summary>
internal sealed class DnsListTestHost
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public DnsListTestHost(DnsListOptions options, Func<FakeDnsZone, IDnsResolver>? resolver = null)
    {
        Options = options;
        Filter = new DnsListFilter(options, resolver?.Invoke(Zone) ?? Zone, Time, Log);
    }

    public FakeDnsZone Zone { get; } = new();

    public FakeTimeProvider Time { get; } = new();

    public ListLogger<DnsListFilter> Log { get; } = new();

    public DnsListOptions Options { get; }

    public DnsListFilter Filter { get; }

    public static DnsListOptions OptionsFor(string[] blockLists, string[]? allowLists = null, DnsListAction action = DnsListAction.Reject)
    {
        var options = new DnsListOptions();
        foreach (var zone in blockLists)
        {
            options.BlockLists.Add(new DnsListZone { Zone = zone, Action = action });
        }

        foreach (var zone in allowLists ?? [])
        {
            options.AllowLists.Add(new DnsListZone { Zone = zone });
        }

        return options;
    }

    public static InboundFilterSession Session(string? address) => new()
    {
        ClientAddress = address is null ? null : IPAddress.Parse(address),
        ClientPort = 40000,
        Protocol = MailProtocol.Smtp,
        ServerName = "mx.example.net",
        ConnectionId = "c-1",
    };

    /// <summary>Lists <paramref name="name"/> (a full query name) with the given A records.</summary>
    public void List(string name, params string[] answers) => Zone.Addresses[name] = [.. answers.Select(IPAddress.Parse)];

    public Task<InboundFilterVerdict> ConnectAsync(string? address)
        => Filter.ConnectAsync(Session(address), CancellationToken.None).AsTask().WaitAsync(Limit);
}
