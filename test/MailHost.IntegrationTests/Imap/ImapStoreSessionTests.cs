using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// Raw-socket IMAP sessions over one store, run once on the in-memory store and once on SQLite by derived classes:
/// behaviour the two stores must share. Reads answers with their literals, so FETCH data can be compared octet for octet.
/// </summary>
public abstract partial class ImapStoreSessionTests(bool sqlite) : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory? _directory = sqlite ? new TempDirectory() : null;

    protected MailWorld World { get; } = new();

    protected IMailStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = _directory is null
            ? World.Store
            : await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory.Path }, null, null, default).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        if (_directory is not null)
        {
            await Store.DisposeAsync();
            _directory.Dispose();
        }
    }

    private protected Task<TestMailServer<ImapConnectionHandler>> StartServerAsync()
        => ImapTestServer.StartAsync(World, MailTlsMode.None, allowPlaintext: true, store: Store).WaitAsync(Timeout);

    /// <summary>Delivers <see cref="MailWorld.Message"/> number <paramref name="n"/> to alice's INBOX; returns its stored bytes.</summary>
    protected async Task<byte[]> DeliverAsync(int n)
    {
        var bytes = Encoding.ASCII.GetBytes(MailWorld.Message(n).ReplaceLineEndings("\r\n"));
        var result = await Store.DeliverAsync(new MemoryStream(bytes), [new DeliveryTarget("alice")], default).AsTask().WaitAsync(Timeout);
        result.Error.Should().BeNull();
        result.Value.Targets.Should().OnlyContain(t => t.Result != null);
        return bytes;
    }

    /// <summary>Sends a command and returns every response up to the tagged one, literals included (see <see cref="ReadAnswerAsync"/>).</summary>
    protected static async Task<List<string>> SendAsync(LineClient client, string tag, string command)
    {
        await client.SendAsync(tag + " " + command + "\r\n");
        return await ReadAnswerAsync(client, tag);
    }

    /// <summary>
    /// Reads responses up to the tagged one for <paramref name="tag"/>. A response is one string: its lines joined
    /// with CRLF, each literal's octets in place after its <c>{n}</c> line. The literals read here end with CRLF.
    /// </summary>
    protected static async Task<List<string>> ReadAnswerAsync(LineClient client, string tag)
    {
        var responses = new List<string>();
        while (true)
        {
            var response = new StringBuilder();
            var line = await ReadLineAsync(client, responses);
            var tagged = line.StartsWith(tag + " ", StringComparison.Ordinal);
            response.Append(line);
            while (LiteralLength().Match(line) is { Success: true } literal)
            {
                var remaining = int.Parse(literal.Groups[1].Value, CultureInfo.InvariantCulture);
                response.Append("\r\n");
                while (remaining > 0)
                {
                    var payload = await ReadLineAsync(client, responses);
                    response.Append(payload).Append("\r\n");
                    remaining -= Encoding.UTF8.GetByteCount(payload) + 2;
                }

                remaining.Should().Be(0, "the literal ends at a line end");
                line = await ReadLineAsync(client, responses);
                response.Append(line);
            }

            responses.Add(response.ToString());
            if (tagged)
            {
                return responses;
            }
        }
    }

    /// <summary>The octets of the literal that follows <paramref name="item"/> in a FETCH response, or null when absent.</summary>
    protected static string? LiteralOf(string response, string item)
    {
        var start = response.IndexOf(item + " {", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var open = start + item.Length + 2;
        var close = response.IndexOf('}', open);
        var length = int.Parse(response.AsSpan(open, close - open), CultureInfo.InvariantCulture);
        return response.Substring(close + 3, length);
    }

    private static async Task<string> ReadLineAsync(LineClient client, List<string> sofar)
        => await client.ReadLineAsync() ?? throw new IOException("Connection closed; got: " + string.Join(" | ", sofar));

    [GeneratedRegex(@"\{(\d+)\}$")]
    private static partial Regex LiteralLength();
}
