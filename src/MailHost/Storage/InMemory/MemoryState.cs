using MailHost.Storage.Mime;

namespace MailHost.Storage.InMemory;

internal sealed class MemoryAccountState
{
    public required string Name { get; init; }

    public Dictionary<string, MemoryMailboxState> Mailboxes { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> Subscriptions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Threads { get; } = new(StringComparer.Ordinal);

    public uint LastUidValidity { get; set; }

    public long StorageUsed { get; set; }

    public long MessagesUsed { get; set; }

    public QuotaLimits? Quota { get; set; }

    public bool Deleted { get; set; }
}

internal sealed class MemoryMailboxState
{
    public required long Id { get; init; }

    public required string Name { get; set; }

    public required uint UidValidity { get; init; }

    public uint UidNext { get; set; } = 1;

    public ulong HighestModSeq { get; set; } = 1;

    /// <summary>The lowest UID no session has claimed as <c>\Recent</c> (RFC 3501 §2.3.2).</summary>
    public uint FirstRecentUid { get; set; } = 1;

    public MailboxAttributes SpecialUse { get; set; }

    public bool Noselect { get; init; }

    public List<MemoryMessageState> Messages { get; } = [];

    public List<(uint Uid, ulong ModSeq)> Expunged { get; } = [];

    /// <summary>
    /// Expunged messages that an open view still shows (RFC 2180 §4.1.1), by UID, as they were at the expunge; each
    /// keeps a reference to its content until <see cref="InMemoryMailStore.ReleaseUnheld"/> lets it go.
    /// </summary>
    public Dictionary<uint, MemoryMessageState> Retained { get; } = [];

    public List<string> Keywords { get; } = [];

    public MemoryMessageState? Find(uint uid)
    {
        int lo = 0, hi = Messages.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var u = Messages[mid].Uid;
            if (u == uid)
            {
                return Messages[mid];
            }

            if (u < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }
}

internal sealed class MemoryMessageState
{
    public required uint Uid { get; init; }

    public required MemoryContent Content { get; init; }

    public MessageFlags Flags { get; set; }

    public IReadOnlyList<string> Keywords { get; set; } = [];

    public ulong ModSeq { get; set; }

    public DateTimeOffset InternalDate { get; init; }

    public DateTimeOffset SaveDate { get; init; }

    public required string EmailId { get; init; }

    public required string ThreadId { get; init; }
}

internal sealed class MemoryContent : MessageContent
{
    private readonly IReadOnlyList<byte[]> _chunks;
    private readonly long _length;

    public MemoryContent(string address, IReadOnlyList<byte[]> chunks, long length, IndexedMessage indexed)
    {
        Address = address;
        _chunks = chunks;
        _length = length;
        Indexed = indexed;
    }

    public string Address { get; }

    public IndexedMessage Indexed { get; }

    public int References { get; set; }

    public override long Length => _length;

    public override ValueTask<Stream?> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        offset = Math.Clamp(offset, 0, _length);
        length = Math.Clamp(length, 0, _length - offset);
        var stream = new ChunkedReadStream(_chunks, _length) { Position = offset };
        return ValueTask.FromResult<Stream?>(new BoundedReadStream(stream, length));
    }
}
