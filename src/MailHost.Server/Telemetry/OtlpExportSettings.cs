using MailHost.Hosting;
using OpenTelemetry.Exporter;

namespace MailHost.Server.Telemetry;

/// <summary>
/// Where metrics are pushed over OTLP: <c>MailHost:Telemetry:Otlp:Endpoint</c> (the collector's base address, such as
/// <c>http://collector:4317</c>), or else the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or
/// <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>) environment variable; <c>MailHost:Telemetry:Otlp:Protocol</c> is
/// <c>grpc</c> or <c>http/protobuf</c>. Without an endpoint nothing is pushed: the host never sends data anywhere on
/// its own.
/// </summary>
/// <param name="Endpoint">The configured base address; null when only the environment variables name one (the SDK reads those itself).</param>
/// <param name="Protocol">The configured protocol; null for the SDK's choice (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else gRPC).</param>
internal sealed record OtlpExportSettings(Uri? Endpoint, OtlpExportProtocol? Protocol)
{
    public const string EndpointKey = "MailHost:Telemetry:Otlp:Endpoint";
    public const string ProtocolKey = "MailHost:Telemetry:Otlp:Protocol";

    // The OpenTelemetry specification's variables, which the SDK reads from the same configuration.
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string MetricsEndpointVariable = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";

    /// <summary>The settings, or <see langword="null"/> when no endpoint is configured (no OTLP export).</summary>
    /// <exception cref="MailHostConfigurationException">An endpoint is not an absolute http(s) URL, or the protocol is unknown.</exception>
    public static OtlpExportSettings? Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var protocol = ReadProtocol(configuration[ProtocolKey]);
        if (ReadEndpoint(configuration, EndpointKey) is { } endpoint)
        {
            return new OtlpExportSettings(endpoint, protocol);
        }

        // Checked here too, so that a typo stops the start with the variable named instead of the SDK ignoring it.
        var fromEnvironment = ReadEndpoint(configuration, MetricsEndpointVariable) ?? ReadEndpoint(configuration, EndpointVariable);
        return fromEnvironment is null ? null : new OtlpExportSettings(null, protocol);
    }

    /// <summary>
    /// The address to give the exporter. Set in code, the SDK uses an HTTP endpoint as it is, while the specification
    /// has the signal's path appended to a base address (as the SDK does for <see cref="EndpointVariable"/>); gRPC
    /// has no path.
    /// </summary>
    public static Uri ExporterEndpoint(Uri endpoint, OtlpExportProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/metrics")
            : endpoint;
    }

    private static Uri? ReadEndpoint(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? uri
            : throw MailHostConfigurationException.For(key, $"'{text}' is not an http:// or https:// URL of an OTLP collector, such as http://collector:4317.");
    }

    /// <summary>The specification's names, as <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> takes them.</summary>
    private static OtlpExportProtocol? ReadProtocol(string? text)
    {
        var name = text?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        return string.Equals(name, "grpc", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.Grpc
            : string.Equals(name, "http/protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.HttpProtobuf
            : throw MailHostConfigurationException.For(ProtocolKey, $"'{text}' is not an OTLP protocol: use grpc or http/protobuf.");
    }
}
