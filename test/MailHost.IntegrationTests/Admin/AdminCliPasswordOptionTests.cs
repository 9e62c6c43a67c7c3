using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server.Admin;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary>
/// A password on the command line sits in the process list and the shell history: <c>--password-stdin</c> is the
/// documented form, and <c>--password</c> still works but says so on standard error.
/// </summary>
public sealed class AdminCliPasswordOptionTests
{
    private const string Warning = "warning: --password puts the password in the process list and the shell history, where other local users can read it; use --password-stdin.\n";

    [Fact]
    public async Task Password_on_the_command_line_works_with_a_warning_on_stderr_and_stdin_without_one()
    {
        using var data = new TempDirectory();
        (await RunAsync(data, null, "domains", "add", "example.com")).Err.Should().BeEmpty();

        var added = await RunAsync(data, null, "users", "add", "alice", "--address", "alice@example.com", "--password", "Hunter2-on-argv");
        var changed = await RunAsync(data, null, "users", "passwd", "alice", "--password=Another-on-argv");
        var quiet = await RunAsync(data, "From-stdin\n", "users", "passwd", "alice", "--password-stdin");

        added.Should().Be(new CliResult(AdminCli.ExitSuccess, "Account 'alice' added with alice@example.com.\n", Warning));
        changed.Should().Be(new CliResult(AdminCli.ExitSuccess, "Password of account 'alice' changed.\n", Warning));
        quiet.Should().Be(new CliResult(AdminCli.ExitSuccess, "Password of account 'alice' changed.\n", string.Empty));
    }

    [Fact]
    public async Task The_usage_documents_password_stdin_and_says_what_password_exposes()
    {
        using var data = new TempDirectory();

        var help = await RunAsync(data, null, "users", "--help");

        help.ExitCode.Should().Be(AdminCli.ExitSuccess);
        help.Out.Should().Contain("users add <account> --address <address> [--address <address> ...] --password-stdin\n")
            .And.Contain("users passwd <account> --password-stdin\n")
            .And.Contain("--password <password> works too, but\n")
            .And.Contain("puts the password in the process list and the shell history");
    }

    [Fact]
    public async Task The_real_executable_warns_on_stderr_when_the_password_is_on_its_command_line()
    {
        using var data = new TempDirectory();
        var environment = new Dictionary<string, string> { ["MailHost__DataDirectory"] = data.Path, ["MailHost__Auth__PasswordIterations"] = "4096" };
        var executable = Path.Combine(AppContext.BaseDirectory, "mailhost.dll");
        (await ExternalProcess.RunAsync("dotnet", [executable, "domains", "add", "example.com"], null, environment, workingDirectory: data.Path)).ExitCode.Should().Be(0);

        var run = await ExternalProcess.RunAsync("dotnet", [executable, "users", "add", "bob", "--address", "bob@example.com", "--password", "Visible-pw"], null, environment, workingDirectory: data.Path);

        run.ExitCode.Should().Be(0, run.StandardError);
        run.StandardError.Should().Contain("warning: --password puts the password in the process list").And.NotContain("Visible-pw");
        run.StandardOutput.Should().NotContain("Visible-pw");
    }

    private static async Task<CliResult> RunAsync(TempDirectory data, string? stdin, params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:DataDirectory"] = data.Path,
                ["MailHost:Auth:PasswordIterations"] = "4096",
            })
            .Build();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exit = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(stdin ?? string.Empty), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
