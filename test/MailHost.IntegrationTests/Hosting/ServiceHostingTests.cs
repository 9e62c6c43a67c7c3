using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Hosting;

/// <summary>
/// The executable as an installed program: its version, the service command where there is no Windows service
/// manager, and the data directory a systemd unit's <c>StateDirectory=</c> gives it.
/// </summary>
public sealed class ServiceHostingTests
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "mailhost.dll");

    [Fact]
    public async Task Version_prints_the_program_and_its_version()
    {
        using var work = new TempDirectory();

        var result = await ExternalProcess.RunAsync("dotnet", [Executable, "--version"], workingDirectory: work.Path);

        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().MatchRegex(@"^mailhost \d+\.\d+\.\d+");
    }

    [Fact]
    public async Task Service_install_outside_Windows_points_to_systemd_and_changes_nothing()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var work = new TempDirectory();

        var result = await ExternalProcess.RunAsync("dotnet", [Executable, "service", "install"], workingDirectory: work.Path);

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("mailhost service is for Windows").And.Contain("systemd");
        Directory.EnumerateFileSystemEntries(work.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_configured_data_directory_a_systemd_state_directory_holds_the_data()
    {
        using var work = new TempDirectory();
        var state = Path.Combine(work.Path, "state");
        var cwd = Path.Combine(work.Path, "cwd");
        Directory.CreateDirectory(state);
        Directory.CreateDirectory(cwd);

        // systemd sets STATE_DIRECTORY for a unit with StateDirectory=; the first of its colon-separated paths is used.
        var result = await ExternalProcess.RunAsync(
            "dotnet",
            [Executable, "domains", "add", "example.test"],
            environment: new Dictionary<string, string> { ["STATE_DIRECTORY"] = state + ":" + Path.Combine(work.Path, "other") },
            workingDirectory: cwd);

        result.ExitCode.Should().Be(0, result.StandardError);
        File.Exists(Path.Combine(state, "directory.db")).Should().BeTrue();
        Directory.Exists(Path.Combine(cwd, "data")).Should().BeFalse("the working directory is not where a unit's data goes");
    }
}
