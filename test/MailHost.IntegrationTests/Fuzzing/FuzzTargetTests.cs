using System.Globalization;
using MailHost.Fuzz;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Fuzzing;

/// <summary>
/// The fuzzing harnesses (fuzz/MailHost.Fuzz): every committed corpus file replays through its harness in process
/// (a fixed crash stays fixed: its input is a corpus file), and every target runs under afl-fuzz for a few seconds
/// (<c>MAILHOST_FUZZ_SECONDS</c>, default 10) without a crash or a hang.
/// </summary>
public sealed class FuzzTargetTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Targets
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var target in FuzzTargets.All)
            {
                data.Add(target.Name);
            }

            return data;
        }
    }

    [Fact]
    public void Every_corpus_folder_belongs_to_a_target_and_every_target_has_seeds()
    {
        var folders = Directory.GetDirectories(Path.Combine(Root, "fuzz", "corpus")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        folders.Should().Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var target in FuzzTargets.All)
        {
            Directory.GetFiles(Path.Combine(Root, "fuzz", "corpus", target.Name)).Should().NotBeEmpty(target.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Corpus_replays_without_a_finding(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "fuzz", "corpus", name)).Order(StringComparer.Ordinal))
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception ex)
            {
                failures.Add($"{Path.GetFileName(file)}: {ex}");
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public void A_broken_invariant_is_reported_as_a_finding()
    {
        // The replay path must not swallow what the harness throws, or the tests above could never fail.
        var target = new FuzzTarget("broken", "always fails", _ => FuzzInvariantException.Check(false, "broken on purpose"));
        var run = () => target.Run([]);
        run.Should().Throw<FuzzInvariantException>().WithMessage("broken on purpose");
    }

    [AflTheory]
    [MemberData(nameof(Targets))]
    public async Task Afl_finds_no_crash_or_hang(string name)
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("MAILHOST_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 10;

        // One work folder for every target: the harness is built and instrumented once, then reused.
        var work = Path.Combine(Path.GetTempPath(), "mailhost-fuzz-tests");
        var result = await ExternalProcess.RunAsync(
            "bash",
            [Path.Combine(Root, "fuzz", "run.sh"), name, seconds.ToString(CultureInfo.InvariantCulture)],
            environment: new Dictionary<string, string> { ["MAILHOST_FUZZ_WORK"] = work },
            workingDirectory: Root,
            timeout: TimeSpan.FromMinutes(15));

        var report = $"{result.StandardOutput}\n{result.StandardError}";
        result.ExitCode.Should().Be(0, report);
        var stats = File.ReadAllLines(Path.Combine(work, "findings", name, "default", "fuzzer_stats"))
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);
        long.Parse(stats["execs_done"], CultureInfo.InvariantCulture).Should().BePositive(report);
        stats["saved_crashes"].Should().Be("0", report);
        stats["saved_hangs"].Should().Be("0", report);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MailHost.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("MailHost.sln not found above the test folder");
    }
}
