using System.Collections;
using System.Globalization;
using System.Net;
using MailHost.Hosting;

namespace MailHost.Connections;

/// <summary>
/// The per-connection state behind <see cref="IMailConnectionFeature"/>. It is also the log scope of the
/// connection: its key/value pairs are read when a log entry is written, so values set later (the account,
/// the client's name, TLS) show up in every entry from then on.
/// </summary>
internal sealed class MailConnection : IMailConnectionFeature, IReadOnlyList<KeyValuePair<string, object?>>
{
    public MailConnection(string connectionId, MailEndpointOptions endpoint, IPEndPoint? remote, IPEndPoint? local)
    {
        ConnectionId = connectionId;
        Endpoint = endpoint;
        RemoteEndPoint = remote;
        LocalEndPoint = local;
    }

    public string ConnectionId { get; }

    public MailEndpointOptions Endpoint { get; }

    public IPEndPoint? RemoteEndPoint { get; set; }

    public IPEndPoint? LocalEndPoint { get; set; }

    public bool IsTls { get; set; }

    public string? TlsDescription { get; set; }

    public string? Account { get; set; }

    public string? ClientName { get; set; }

    public int Count => 7;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", ConnectionId),
        1 => new("RemoteEndPoint", RemoteEndPoint?.ToString()),
        2 => new("Endpoint", Endpoint.Name),
        3 => new("Protocol", Endpoint.Protocol.ToString()),
        4 => new("Tls", IsTls),
        5 => new("Account", Account),
        6 => new("ClientName", ClientName),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{ConnectionId} {Endpoint.Protocol} {RemoteEndPoint} endpoint={Endpoint.Name} tls={IsTls}{(Account is null ? "" : " account=" + Account)}{(ClientName is null ? "" : " client=" + ClientName)}");
}
