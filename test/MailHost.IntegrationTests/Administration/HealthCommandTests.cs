using MailHost.Server.Administration;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Administration;

/// <summary><c>mailhost health</c>, the container's HEALTHCHECK: 0 when the running server is ready, 1 when not reachable.</summary>
public sealed class HealthCommandTests
{
    [Fact]
    public async Task Health_exits_0_against_a_ready_server_and_1_when_nothing_listens()
    {
        await using var host = await AdminHost.StartAsync();
        var (code, output) = await RunAsync(host.BaseAddress.ToString().TrimEnd('/'));
        code.Should().Be(HealthCommand.ExitHealthy, output);
        output.Should().StartWith("200 ").And.Contain("\"Healthy\"");

        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        (await RunAsync($"http://127.0.0.1:{port}")).Code.Should().Be(HealthCommand.ExitUnhealthy);
    }

    [Fact]
    public async Task Health_without_an_administration_endpoint_says_which_key_to_set()
    {
        var (code, output) = await RunAsync(null);
        code.Should().Be(HealthCommand.ExitUsage);
        output.Should().Contain("MailHost:Admin:Url");
    }

    private static async Task<(int Code, string Output)> RunAsync(string? url)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MailHost:Admin:Url"] = url }).Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HealthCommand.RunAsync(["health"], configuration, stdout, stderr);
        return (code, stdout.ToString() + stderr);
    }
}
