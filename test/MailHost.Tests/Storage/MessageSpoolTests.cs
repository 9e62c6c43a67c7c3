using System.Security.Cryptography;
using MailHost.Smtp;
using MailHost.Storage;
using MailHost.Tests.Accounts;

namespace MailHost.Tests.Storage;

/// <summary>
/// The one spool of message content: written as it arrives (SMTP DATA and BDAT) or taken off a stream by a store
/// (<see cref="MessageSpool.CreateAsync"/>); in memory up to a threshold, then in an owner-only file deleted on dispose.
/// </summary>
public sealed class MessageSpoolTests : IDisposable
{
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Directory0700 = File0600 | UnixFileMode.UserExecute;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();

    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    [InlineData(300_000)]
    public async Task The_spool_returns_exactly_what_was_written_from_any_offset(int size)
    {
        var data = RandomBytes(size);
        await using var spool = new MessageSpool(_temp.FullPath, memoryThreshold: 64 * 1024);
        for (var at = 0; at < size; at += 7_001)
        {
            await spool.WriteAsync(data.AsMemory(at, Math.Min(7_001, size - at)), CancellationToken.None).AsTask().WaitAsync(Timeout);
        }

        spool.Length.Should().Be(size);
        Directory.GetFiles(_temp.FullPath).Should().HaveCount(size > 64 * 1024 ? 1 : 0, "content past the threshold goes to a file");
        foreach (var offset in new[] { 0, 3 })
        {
            var stream = await spool.OpenReadAsync(offset, CancellationToken.None).AsTask().WaitAsync(Timeout);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy).WaitAsync(Timeout);
            copy.ToArray().Should().Equal(data[offset..]);
        }

        await spool.DisposeAsync();
        Directory.GetFiles(_temp.FullPath).Should().BeEmpty("the spool file is deleted with the transaction");
    }

    [Fact]
    public async Task Smtp_spool_files_are_owner_only_in_a_private_directory_when_none_is_configured()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var spool = new MessageSpool(SmtpSpoolDirectory.Resolve(null), memoryThreshold: 16, SmtpSpoolDirectory.FileNamePrefix);
        var directory = spool.Directory!;
        await using (spool)
        {
            await spool.WriteAsync(new byte[64], default).AsTask().WaitAsync(Timeout);

            var file = spool.FilePath;
            file.Should().NotBeNull("the content passed the memory threshold");
            Path.GetDirectoryName(file).Should().Be(directory);
            Path.GetFileName(file).Should().StartWith("mailhost-smtp-", "the host's start-up removes these after a crash");
            File.GetUnixFileMode(file!).Should().Be(File0600);
            directory.Should().StartWith(Path.GetTempPath()).And.NotBe(Path.TrimEndingDirectorySeparator(Path.GetTempPath()), "not the shared temp directory itself");
            Path.GetFileName(directory).Should().StartWith("mailhost-smtp-");
            File.GetUnixFileMode(directory).Should().Be(Directory0700);
        }

        Directory.EnumerateFiles(directory).Should().BeEmpty("the file goes when the transaction ends");
    }

    [Fact]
    public async Task A_configured_spool_directory_is_created_owner_only_and_its_files_too()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = Path.Combine(_temp.FullPath, "spool");
        await using var spool = new MessageSpool(SmtpSpoolDirectory.Resolve(directory), memoryThreshold: 0);

        await spool.WriteAsync(new byte[10], default).AsTask().WaitAsync(Timeout);

        File.GetUnixFileMode(directory).Should().Be(Directory0700);
        File.GetUnixFileMode(spool.FilePath!).Should().Be(File0600);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000)]
    [InlineData(64 * 1024)]
    [InlineData(200_000)]
    public async Task A_store_spool_without_a_directory_keeps_full_chunks_in_memory_and_the_content_address(int size)
    {
        var data = RandomBytes(size);

        var created = await MessageSpool.CreateAsync(new MemoryStream(data), new MessageSpoolOptions(null, 0, long.MaxValue), default).WaitAsync(Timeout);

        created.IsSuccess.Should().BeTrue();
        await using var spool = created.Value;
        spool.Length.Should().Be(size);
        spool.ContentAddress.Should().Be(Convert.ToHexStringLower(SHA256.HashData(data)));
        spool.FilePath.Should().BeNull();
        spool.Inline.Should().BeNull();
        spool.Chunks.SkipLast(1).Where(c => c.Length != 64 * 1024).Should().BeEmpty("the chunked reader needs all but the last full");
        spool.Chunks.Sum(c => c.Length).Should().Be(size);
        (await ReadAllAsync(spool)).Should().Equal(data);
    }

    [Fact]
    public async Task A_store_spool_under_its_inline_threshold_is_one_array_and_no_file()
    {
        var data = RandomBytes(5_000);

        var created = await MessageSpool.CreateAsync(new MemoryStream(data), new MessageSpoolOptions(_temp.FullPath, 8_000, long.MaxValue), default).WaitAsync(Timeout);

        await using var spool = created.Value;
        spool.Inline.Should().Equal(data);
        spool.FilePath.Should().BeNull();
        Directory.GetFiles(_temp.FullPath).Should().BeEmpty();
        (await ReadAllAsync(spool)).Should().Equal(data);
    }

    [Fact]
    public async Task A_store_spool_past_its_threshold_is_an_owner_only_file_the_store_can_take()
    {
        var data = RandomBytes(150_000);

        var created = await MessageSpool.CreateAsync(new MemoryStream(data), new MessageSpoolOptions(_temp.FullPath, 8_000, long.MaxValue), default).WaitAsync(Timeout);

        var spool = created.Value;
        string taken;
        await using (spool)
        {
            spool.Inline.Should().BeNull();
            var file = spool.FilePath!;
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(file).Should().Be(File0600);
            }

            (await ReadAllAsync(spool)).Should().Equal(data);
            taken = spool.TakeFile()!;
            taken.Should().Be(file);
            spool.FilePath.Should().BeNull();
        }

        (await File.ReadAllBytesAsync(taken)).Should().Equal(data, "a taken file outlives the spool");
    }

    [Fact]
    public async Task A_store_spool_that_is_not_taken_deletes_its_file()
    {
        var created = await MessageSpool.CreateAsync(new MemoryStream(RandomBytes(20_000)), new MessageSpoolOptions(_temp.FullPath, 0, long.MaxValue), default).WaitAsync(Timeout);
        var file = created.Value.FilePath!;
        File.Exists(file).Should().BeTrue();

        await created.Value.DisposeAsync();

        File.Exists(file).Should().BeFalse();
    }

    [Fact]
    public async Task Content_past_the_size_limit_is_too_big_and_leaves_no_file()
    {
        var created = await MessageSpool.CreateAsync(new MemoryStream(RandomBytes(200_000)), new MessageSpoolOptions(_temp.FullPath, 0, 100_000), default).WaitAsync(Timeout);

        created.IsSuccess.Should().BeFalse();
        created.Error!.Code.Should().Be(StoreErrorCode.TooBig);
        Directory.GetFiles(_temp.FullPath).Should().BeEmpty();
    }

    [Fact]
    public async Task A_spool_directory_that_cannot_be_created_is_unavailable_not_an_exception()
    {
        var blocked = Path.Combine(_temp.FullPath, "a-file");
        await File.WriteAllTextAsync(blocked, "not a directory");

        var created = await MessageSpool.CreateAsync(new MemoryStream(RandomBytes(1_000)), new MessageSpoolOptions(Path.Combine(blocked, "spool"), 0, long.MaxValue), default).WaitAsync(Timeout);

        created.IsSuccess.Should().BeFalse();
        created.Error!.Code.Should().Be(StoreErrorCode.Unavailable);
    }

    [Fact]
    public async Task A_failing_source_propagates_and_leaves_no_file()
    {
        var source = new FailingStream(RandomBytes(100_000));

        var spooling = () => MessageSpool.CreateAsync(source, new MessageSpoolOptions(_temp.FullPath, 0, long.MaxValue), default);

        await spooling.Should().ThrowAsync<IOException>().WithMessage("connection reset");
        Directory.GetFiles(_temp.FullPath).Should().BeEmpty();
    }

    public void Dispose() => _temp.Dispose();

    private static byte[] RandomBytes(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        return data;
    }

    private static async Task<byte[]> ReadAllAsync(MessageSpool spool)
    {
        var reader = spool.OpenRead();
        await using (reader)
        {
            using var copy = new MemoryStream();
            await reader.CopyToAsync(copy).WaitAsync(Timeout);
            return copy.ToArray();
        }
    }

    /// <summary>Hands over its bytes, then fails the way a lost connection does.</summary>
    private sealed class FailingStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Position < Length ? base.ReadAsync(buffer, cancellationToken) : throw new IOException("connection reset");
    }
}
