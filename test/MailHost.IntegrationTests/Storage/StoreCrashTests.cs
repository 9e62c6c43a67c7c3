using System.Diagnostics;
using System.Globalization;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;
using MailHost.StoreCrashChild;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Storage;

/// <summary>
/// SECURITY.md §3.1 and E4: a child process appends in a loop and is killed with SIGKILL at random moments.
/// After each kill the store must open by itself, hold every acknowledged message byte for byte, show nothing
/// half-written, and never move UIDNEXT back.
/// </summary>
public sealed class StoreCrashTests : IDisposable
{
    private const int Rounds = 24;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-crash-" + Guid.NewGuid().ToString("N"));

    public StoreCrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Killing_the_writer_with_SIGKILL_loses_nothing_acknowledged()
    {
        var seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var acknowledged = new Dictionary<long, uint>();
        uint uidValidity = 0;
        uint lastUidNext = 0;
        var childDll = Path.Combine(AppContext.BaseDirectory, "MailHost.StoreCrashChild.dll");
        File.Exists(childDll).Should().BeTrue();

        for (var round = 0; round < Rounds; round++)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(childDll);
            start.ArgumentList.Add(_directory);
            start.ArgumentList.Add(((round + 1) * 1_000_000L).ToString(CultureInfo.InvariantCulture));
            using var child = Process.Start(start)!;
            var stderr = child.StandardError.ReadToEndAsync();
            var reader = child.StandardOutput;
            (await reader.ReadLineAsync().WaitAsync(Timeout)).Should().Be("READY", await FirstErrorAsync(child, stderr));

            // Kill at a random moment: after a random number of acknowledgements (0 = while the first appends run).
            var killAfter = random.Next(0, 25);
            var lines = new List<string>();
            while (lines.Count < killAfter)
            {
                var line = await reader.ReadLineAsync().WaitAsync(Timeout);
                line.Should().NotBeNull();
                lines.Add(line!);
            }

            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().WaitAsync(Timeout);
            // Lines the child printed before it died were acknowledged too.
            while (await reader.ReadLineAsync().WaitAsync(Timeout) is { } rest)
            {
                lines.Add(rest);
            }

            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                parts[0].Should().Be("ACK", line);
                acknowledged.Add(long.Parse(parts[1], CultureInfo.InvariantCulture), uint.Parse(parts[2], CultureInfo.InvariantCulture));
                var validity = uint.Parse(parts[3], CultureInfo.InvariantCulture);
                if (uidValidity == 0)
                {
                    uidValidity = validity;
                }

                validity.Should().Be(uidValidity);
            }

            lastUidNext = await VerifyAsync(acknowledged, uidValidity, lastUidNext);
            _output.WriteLine($"round {round}: killed after {lines.Count} acks, {acknowledged.Count} acknowledged in all, UIDNEXT {lastUidNext}");
        }

        acknowledged.Should().NotBeEmpty();
    }

    private async Task<uint> VerifyAsync(Dictionary<long, uint> acknowledged, uint uidValidity, uint lastUidNext)
    {
        await using var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory }, null, null, default).WaitAsync(Timeout);
        store.LastCheck!.MissingBlobs.Should().Be(0);
        var account = (await store.OpenAccountAsync("victim", default)).Value;
        var status = (await account.GetStatusAsync("INBOX", default)).Value;
        if (uidValidity != 0)
        {
            status.UidValidity.Should().Be(uidValidity);
        }

        status.UidNext.Should().BeGreaterThanOrEqualTo(lastUidNext, "UIDNEXT never goes back");
        var view = (await account.OpenMailboxAsync("INBOX", true, default)).Value;
        var seen = new Dictionary<long, uint>();
        await foreach (var message in view.FetchAsync(UidSet.All, FetchOptions.Default, default))
        {
            var stream = await message.Content.OpenAsync(default);
            stream.Should().NotBeNull();
            byte[] bytes;
            await using (stream!)
            {
                using var buffer = new MemoryStream();
                await stream!.CopyToAsync(buffer);
                bytes = buffer.ToArray();
            }

            bytes.Length.Should().Be((int)message.Size);
            var sequence = CrashMessages.ReadSequence(bytes);
            sequence.Should().NotBeNull("no half-written message is visible");
            bytes.Should().Equal(CrashMessages.Create(sequence!.Value), "a visible message is complete");
            seen.Add(sequence.Value, message.Uid);
            message.Uid.Should().BeLessThan(status.UidNext);
        }

        foreach (var (sequence, uid) in acknowledged)
        {
            seen.Should().Contain(sequence, uid, "every acknowledged message survives with its UID");
        }

        return status.UidNext;
    }

    private static async Task<string> FirstErrorAsync(Process child, Task<string> stderr) =>
        child.HasExited ? await stderr : string.Empty;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
