using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>The real <c>mailhost</c> executable as an operator runs it, against a fresh data directory.</summary>
public sealed class MailhostExecutableTests
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "mailhost.dll");

    private static Task<ProcessResult> Mailhost(TempDirectory data, string? stdin, params string[] args)
        => ExternalProcess.RunAsync(
            "dotnet",
            [Executable, .. args],
            stdin,
            new Dictionary<string, string> { ["MailHost__DataDirectory"] = data.Path, ["MailHost__Auth__PasswordIterations"] = "4096" },
            workingDirectory: data.Path);

    [Fact]
    public async Task Users_add_list_and_show_work_on_a_fresh_data_directory()
    {
        using var data = new TempDirectory();

        (await Mailhost(data, null, "domains", "add", "Example.COM")).ExitCode.Should().Be(0);
        var add = await Mailhost(data, "s3cret-Pw\n", "users", "add", "alice", "--address", "Alice@example.com", "--password-stdin");
        add.ExitCode.Should().Be(0, add.StandardError);
        var list = await Mailhost(data, null, "users", "list");
        var show = await Mailhost(data, null, "users", "show", "alice");
        var duplicate = await Mailhost(data, null, "users", "add", "alice", "--address", "other@example.com", "--password", "x");
        var unknownDomain = await Mailhost(data, null, "users", "add", "bob", "--address", "bob@elsewhere.org", "--password", "x");

        list.StandardOutput.Should().Contain("alice").And.Contain("alice@example.com");
        show.ExitCode.Should().Be(0);
        show.StandardOutput.Should().Contain("alice@example.com").And.NotContain("s3cret");
        duplicate.ExitCode.Should().Be(2);
        duplicate.StandardError.Should().Contain("already exists");
        unknownDomain.ExitCode.Should().Be(2);
        File.Exists(Path.Combine(data.Path, "directory.db")).Should().BeTrue();
    }

    [Fact]
    public async Task A_configuration_error_names_the_key_and_exits_non_zero()
    {
        using var data = new TempDirectory();

        var run = await Mailhost(data, null, "serve", "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0", "--MailHost:Endpoints:Imap:Tls=Sideways");

        run.ExitCode.Should().Be(3);
        run.StandardError.Should().Contain("MailHost:Endpoints:Imap:Tls: 'Sideways' is not a TLS mode");
    }

    [Theory]
    [InlineData("--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:{0}", "change the Url of that endpoint under MailHost:Endpoints")]
    [InlineData("--MailHost:Admin:Url=http://127.0.0.1:{0}", "MailHost:Admin:Url (administration)")]
    public async Task A_port_in_use_is_reported_with_the_fix_and_a_non_zero_exit(string setting, string hint)
    {
        using var data = new TempDirectory();
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;

        // A POP3 endpoint on a free port, so the host has a mail endpoint; the setting then takes the held port.
        var run = await Mailhost(data, null, "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0", "--MailHost:Endpoints:Pop3:Tls=None",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, setting, port));

        run.ExitCode.Should().Be(4, run.StandardOutput + run.StandardError);
        run.StandardError.Should().Contain("Cannot listen:").And.Contain(hint);
    }

    [Fact]
    public async Task Without_any_usable_endpoint_the_host_refuses_to_start()
    {
        using var data = new TempDirectory();

        var run = await Mailhost(data, null, "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0", "--MailHost:Endpoints:Pop3:Enabled=false");

        run.ExitCode.Should().Be(5);
        run.StandardError.Should().Contain("No mail endpoint is active");
    }
}
