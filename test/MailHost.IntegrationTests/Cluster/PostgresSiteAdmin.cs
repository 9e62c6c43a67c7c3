using MailHost.Server.Admin;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Cluster;

/// <summary>Runs the <c>mailhost</c> administration commands against a test site's PostgreSQL database, as an operator would.</summary>
internal static class PostgresSiteAdmin
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Runs one command (e.g. <c>users add</c>) and asserts it succeeded, with its error output as the reason.</summary>
    public static async Task RunAsync(string database, params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:Store:Provider"] = "Postgres",
                ["ConnectionStrings:MailHost"] = database,
                ["MailHost:Auth:PasswordIterations"] = "4096",
            })
            .Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await AdminCli.RunAsync(args, configuration, stdout, stderr, new StringReader(string.Empty), CancellationToken.None).WaitAsync(Bound);
        exit.Should().Be(AdminCli.ExitSuccess, stderr.ToString());
    }
}
