using System.Net;

namespace MailHost.Server.Administration.Tracing;

/// <summary>One line of a live trace: when, which connection, whose, and the (already redacted) protocol line.</summary>
internal sealed record LiveTraceLine(DateTimeOffset Time, string? ConnectionId, string? Account, string? RemoteEndPoint, string Category, string Text);

/// <summary>
/// An operator's live protocol trace of one account or one client address, for a bounded time and a bounded number of
/// lines. Lines are what the protocol trace writes (passwords and SASL responses already redacted); only connections
/// whose log scope names that account (from its login on) or that address (from its first line) are kept.
/// </summary>
internal sealed class LiveTrace
{
    /// <summary>The most lines one trace keeps; the oldest give way.</summary>
    public const int MaxLines = 5000;

    private readonly Queue<LiveTraceLine> _lines = new();
    private readonly Lock _lock = new();

    public LiveTrace(string id, string? account, IPAddress? address, string startedBy, DateTimeOffset started, DateTimeOffset expires)
    {
        Id = id;
        Account = account;
        Address = address;
        StartedBy = startedBy;
        Started = started;
        Expires = expires;
    }

    public string Id { get; }

    /// <summary>The account traced, or null when an address is.</summary>
    public string? Account { get; }

    /// <summary>The client address traced, or null when an account is.</summary>
    public IPAddress? Address { get; }

    public string StartedBy { get; }

    public DateTimeOffset Started { get; }

    public DateTimeOffset Expires { get; private set; }

    /// <summary>Lines dropped because the trace was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Whether the trace still records at <paramref name="now"/>.</summary>
    public bool IsActive(DateTimeOffset now) => now < Expires;

    /// <summary>Whether a line of a connection with this scope belongs here.</summary>
    public bool Matches(string? account, IPAddress? remote) =>
        Account is not null ? string.Equals(Account, account, StringComparison.Ordinal) : Address is not null && Address.Equals(remote);

    public void Add(LiveTraceLine line)
    {
        lock (_lock)
        {
            if (_lines.Count == MaxLines)
            {
                _lines.Dequeue();
                Dropped++;
            }

            _lines.Enqueue(line);
        }
    }

    /// <summary>The lines kept, oldest first.</summary>
    public IReadOnlyList<LiveTraceLine> Lines()
    {
        lock (_lock)
        {
            return [.. _lines];
        }
    }

    /// <summary>Ends the trace now (its lines stay readable until it is removed).</summary>
    public void Stop(DateTimeOffset now)
    {
        if (now < Expires)
        {
            Expires = now;
        }
    }
}
