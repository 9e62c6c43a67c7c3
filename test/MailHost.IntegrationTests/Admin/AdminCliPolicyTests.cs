using MailHost.Server.Admin;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary><c>users policy</c>: the effective client policy of an account, from the configured rules, before a client hits it.</summary>
public sealed class AdminCliPolicyTests : IDisposable
{
    private const string Section = "MailHost:Auth:ClientPolicies:";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-admin-policy-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private readonly Dictionary<string, string?> _policies = new()
    {
        [Section + "Default:Mechanisms:0"] = "PLAIN",
        [Section + "Default:Mechanisms:1"] = "SCRAM-SHA-256",
        [Section + "Rules:0:Name"] = "office-only",
        [Section + "Rules:0:Accounts:0"] = "alice",
        [Section + "Rules:0:AllowedNetworks:0"] = "192.0.2.0/24",
        [Section + "Rules:1:Name"] = "old-phone",
        [Section + "Rules:1:AppPasswords:0"] = "Phone",
        [Section + "Rules:1:HideImapCapabilities:0"] = "idle",
        [Section + "Rules:1:Pop3ReplaceNulBytes"] = "true",
        [Section + "Rules:2:Name"] = "lab",
        [Section + "Rules:2:Networks:0"] = "198.51.100.0/24",
        [Section + "Rules:2:Mechanisms:0"] = "password-command",
    };

    [Fact]
    public async Task Policy_prints_the_effective_settings_and_the_rules_that_made_them_for_an_address_and_an_app_password()
    {
        (await RunAsync("domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync(["users", "add", "alice", "--address", "alice@example.com", "--password-stdin"], "pw\n")).ExitCode.Should().Be(0);
        (await RunAsync("users", "app-passwords", "add", "alice", "--name", "Phone")).ExitCode.Should().Be(0);

        var phone = await RunAsync("users", "policy", "ALICE", "--network", "198.51.100.9", "--app-password", "phone");

        phone.ExitCode.Should().Be(0, phone.Err);
        var lines = phone.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().MatchRegex("^Mail logins of account 'alice' from 198\\.51\\.100\\.9 with app password [0-9a-f]{8} \\(Phone\\):$");
        lines[1..].Should().Equal(
            "Rules: Default, office-only, old-phone, lab",
            "Allowed networks: 192.0.2.0/24",
            "Mechanisms: PASSWORD-COMMAND",
            "Hidden IMAP capabilities: IDLE",
            "POP3 NUL replacement: on",
            "A login from 198.51.100.9 is refused: outside the allowed networks.");

        var own = await RunAsync("users", "policy", "alice", "--network", "192.0.2.7");
        own.Out.Should().Contain("with its own password or a token:\nRules: Default, office-only\n").And.Contain("Mechanisms: PLAIN, SCRAM-SHA-256\n")
            .And.Contain("Hidden IMAP capabilities: none\n").And.Contain("A login from 192.0.2.7 is allowed by the policy.");

        (await RunAsync("users", "policy", "alice", "--app-password", "tablet")).Err.Should().Contain("has no app password named or numbered 'tablet'");
        (await RunAsync("users", "policy", "nobody")).Should().Be(new CliResult(2, string.Empty, "error: There is no account 'nobody'.\n"));
        (await RunAsync("users", "policy", "alice", "--network", "not-an-address")).Err.Should().Contain("--network not-an-address is not an IP address");
    }

    [Fact]
    public async Task Policy_names_the_key_of_a_bad_setting()
    {
        _policies[Section + "Rules:2:Mechanisms:0"] = "CRAM-MD5";

        var result = await RunAsync("users", "policy", "alice");

        result.ExitCode.Should().Be(2);
        result.Err.Should().StartWith("error: configuration: MailHost:Auth:ClientPolicies:Rules:2:Mechanisms:0: 'CRAM-MD5' is not a mechanism");
    }

    public void Dispose()
    {
        _timeout.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(args, string.Empty);

    private async Task<CliResult> RunAsync(string[] args, string stdin)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>(_policies)
            {
                ["MailHost:DataDirectory"] = _dataDirectory,
                ["MailHost:Auth:PasswordIterations"] = "4096",
            })
            .Build();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var input = new StringReader(stdin);
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, input, _timeout.Token).WaitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
