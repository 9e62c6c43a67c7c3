using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MailHost.Connections;

/// <summary>
/// The <c>MailHost</c> meter (System.Diagnostics.Metrics, ready for OpenTelemetry or dotnet-counters):
/// connections opened, open now, and refused (before the greeting, or their TLS handshake), tagged by endpoint and protocol.
/// </summary>
public static class MailHostMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "MailHost";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> ConnectionsOpened = Meter.CreateCounter<long>(
        "mailhost.connections.opened", unit: "{connection}", description: "Connections accepted on mail endpoints.");

    internal static readonly UpDownCounter<long> ConnectionsActive = Meter.CreateUpDownCounter<long>(
        "mailhost.connections.active", unit: "{connection}", description: "Connections open on mail endpoints now.");

    internal static readonly Counter<long> ConnectionsRefused = Meter.CreateCounter<long>(
        "mailhost.connections.refused", unit: "{connection}", description: "Connections refused before the greeting, or their TLS handshake refused, by reason.");

    internal static TagList Tags(MailConnection connection) => new()
    {
        { "endpoint", connection.Endpoint.Name },
        { "protocol", connection.Endpoint.Protocol.ToString() },
    };

    internal static void Refused(MailConnection connection, string reason)
    {
        var tags = Tags(connection);
        tags.Add("reason", reason);
        ConnectionsRefused.Add(1, tags);
    }
}
