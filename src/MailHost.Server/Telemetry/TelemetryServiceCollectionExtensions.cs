using MailHost.Connections;
using OpenTelemetry.Metrics;

namespace MailHost.Server.Telemetry;

/// <summary>Metrics of the host through OpenTelemetry: scraped by Prometheus, and pushed over OTLP when configured.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The path of the Prometheus scrape endpoint on the administration endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The meters exported besides <see cref="MailHostMetrics.MeterName"/>: ASP.NET Core's requests (the administration
    /// and onboarding endpoints), Kestrel's connections (mail endpoints included) and the runtime's own (GC, thread
    /// pool, exceptions), all built into .NET.
    /// </summary>
    internal static readonly string[] PlatformMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>
    /// Adds OpenTelemetry metrics with the <c>MailHost</c> meter and <see cref="PlatformMeters"/>, the Prometheus
    /// exporter (read only when <c>/metrics</c> is scraped, see <see cref="MapMailHostMetrics"/>), and the OTLP exporter
    /// when <see cref="OtlpExportSettings"/> names a collector.
    /// </summary>
    /// <exception cref="MailHost.Hosting.MailHostConfigurationException">An OTLP setting is invalid (checked at once, with its key named).</exception>
    public static IServiceCollection AddMailHostTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var otlp = OtlpExportSettings.Read(configuration);
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter([MailHostMetrics.MeterName, .. PlatformMeters]);

            // Pull only: nothing is collected or sent until a scrape asks. Registered whether or not the administration
            // endpoint is on, so that mapping /metrics never depends on the order of the settings.
            metrics.AddPrometheusExporter();
            if (otlp is not null)
            {
                metrics.AddOtlpExporter(options =>
                {
                    // Runs after the SDK bound the OTEL_* variables: the MailHost keys win, and an HTTP endpoint gets its
                    // path whichever setting chose the protocol.
                    if (otlp.Protocol is { } protocol)
                    {
                        options.Protocol = protocol;
                    }

                    if (otlp.Endpoint is { } endpoint)
                    {
                        options.Endpoint = OtlpExportSettings.ExporterEndpoint(endpoint, options.Protocol);
                    }
                });
            }
        });
        return services;
    }

    /// <summary>
    /// Maps the Prometheus scrape endpoint at <see cref="MetricsPath"/> (text exposition format). Map it on the
    /// administration endpoint only: the numbers tell a stranger how busy the server is and which logins fail.
    /// </summary>
    public static IEndpointConventionBuilder MapMailHostMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
    }
}
