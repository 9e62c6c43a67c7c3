using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Server.Telemetry;
using MailHost.Tests.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace MailHost.Tests.Telemetry;

/// <summary>When the host pushes metrics over OTLP, and where: MailHost's keys first, then the standard variables.</summary>
[Collection(MetricsCollection.Name)] // The flush test adds to the process-wide meter that suite counts exactly.
public sealed class OtlpExportSettingsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Without_an_endpoint_nothing_is_pushed()
        => OtlpExportSettings.Read(Configuration()).Should().BeNull();

    [Theory]
    [InlineData("http://collector:4317", null, null)]
    [InlineData("https://collector.example:4318", "http/protobuf", OtlpExportProtocol.HttpProtobuf)]
    [InlineData(" http://collector.test:4317 ", "GRPC", OtlpExportProtocol.Grpc)]
    public void The_MailHost_keys_name_the_collector_and_the_protocol(string endpoint, string? protocol, OtlpExportProtocol? expected)
    {
        var settings = OtlpExportSettings.Read(Configuration(
            (OtlpExportSettings.EndpointKey, endpoint), (OtlpExportSettings.ProtocolKey, protocol)));

        settings.Should().Be(new OtlpExportSettings(new Uri(endpoint.Trim()), expected));
    }

    [Theory]
    [InlineData(OtlpExportSettings.EndpointVariable)]
    [InlineData(OtlpExportSettings.MetricsEndpointVariable)]
    public void A_standard_variable_turns_the_export_on_and_is_left_to_the_sdk(string variable)
        => OtlpExportSettings.Read(Configuration((variable, "http://collector:4317"))).Should().Be(new OtlpExportSettings(null, null));

    [Theory]
    [InlineData(OtlpExportSettings.EndpointKey, "collector:4317")]
    [InlineData(OtlpExportSettings.EndpointKey, "ftp://collector")]
    [InlineData(OtlpExportSettings.EndpointKey, "/v1/metrics")]
    [InlineData(OtlpExportSettings.EndpointVariable, "not a url")]
    [InlineData(OtlpExportSettings.ProtocolKey, "http/json")]
    public void A_malformed_value_stops_the_start_naming_its_key(string key, string value)
    {
        var configuration = key == OtlpExportSettings.ProtocolKey
            ? Configuration((key, value), (OtlpExportSettings.EndpointKey, "http://collector:4317"))
            : Configuration((key, value));

        var add = () => new ServiceCollection().AddMailHostTelemetry(configuration);

        add.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be(key);
    }

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/metrics")]
    [InlineData("https://gateway.example/otlp", "https://gateway.example/otlp/v1/metrics")]
    public void Over_http_the_signal_path_is_appended_to_the_base_address(string endpoint, string expected)
        => OtlpExportSettings.ExporterEndpoint(new Uri(endpoint), OtlpExportProtocol.HttpProtobuf).Should().Be(new Uri(expected));

    [Fact]
    public void Over_grpc_the_address_is_used_as_it_is()
        => OtlpExportSettings.ExporterEndpoint(new Uri("http://collector:4317"), OtlpExportProtocol.Grpc).Should().Be(new Uri("http://collector:4317"));

    [Fact]
    public async Task A_flush_posts_the_metrics_in_protobuf_to_the_signal_path_of_the_configured_collector()
    {
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var configuration = Configuration(
            (OtlpExportSettings.EndpointKey, $"http://127.0.0.1:{((IPEndPoint)collector.LocalEndpoint).Port}"), (OtlpExportSettings.ProtocolKey, "http/protobuf"));
        using var services = new ServiceCollection().AddLogging().AddSingleton(configuration).AddMailHostTelemetry(configuration).BuildServiceProvider();
        var metrics = services.GetRequiredService<MeterProvider>();
        MailHostMetrics.CommandReceived(MailProtocol.Imap, "NOOP");

        var accepted = collector.AcceptTcpClientAsync();
        var flushed = Task.Run(() => metrics.ForceFlush(2_000));
        using var connection = await accepted.WaitAsync(Timeout);
        var head = await ReadRequestAsync(connection.GetStream());
        await connection.GetStream().WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray());

        // The flush's own answer is not the OTLP exporter's alone: the Prometheus reader, with no scrape to serve, says false.
        await flushed.WaitAsync(Timeout);
        head[0].Should().Be("POST /v1/metrics HTTP/1.1");
        head.Should().Contain(h => h.Equals("Content-Type: application/x-protobuf", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads one HTTP/1.1 request, its body included; returns the request line and the header lines.</summary>
    private static async Task<List<string>> ReadRequestAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        int end;
        while ((end = IndexOfBlankLine(bytes)) < 0)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
            read.Should().BePositive("the exporter sends a whole request");
            bytes.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. bytes[..end]]).Split("\r\n").ToList();
        var length = head.Select(h => h.Split(':', 2)).Where(p => p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1], CultureInfo.InvariantCulture)).SingleOrDefault();
        var received = bytes.Count - end - 4;
        while (received < length)
        {
            received += await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
        }

        return head;
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
