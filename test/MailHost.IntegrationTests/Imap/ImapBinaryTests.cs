using System.Text;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage.Sqlite.Mail;
using MailKit;
using MailKit.Security;
using MimeKit;
using IMailStore = MailHost.Storage.IMailStore;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// BINARY (RFC 3516) over a real socket, on both stores: quoted-printable parts decoded by RFC 2045 §6.7, partial
/// ranges of the decoded octets, literal8 only for NUL, and binary content appended with a literal8 coming back whole.
/// </summary>
public abstract class ImapBinaryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // 78 encoded octets: soft line breaks (one padded with a space), trailing spaces and tabs; 65 decoded.
    private const string QuotedPrintable =
        "hello\r\nbar    \r\nfoo\tbar\r\nfoo\t \tb\r\nfoo =\r\nbar\r\nfoo= \r\n b\r\nfoo \t\r\nbar\r\nfoo_bar\r\n";

    private const string Decoded = "hello\r\nbar\r\nfoo\tbar\r\nfoo\t \tb\r\nfoo bar\r\nfoo b\r\nfoo\r\nbar\r\nfoo_bar\r\n";

    // NUL, 8-bit octets, bare CR and LF, CRLF.
    private static readonly byte[] Octets = [0, 1, 0xFF, 0x80, (byte)'a', 0, (byte)'\r', (byte)'\n', 0xFE, (byte)'\r', (byte)'z', (byte)'\n', 0];

    private MailWorld _world = null!;
    private TestMailServer<ImapConnectionHandler> _server = null!;

    /// <summary>The store under test; null for the world's in-memory store.</summary>
    protected abstract Task<IMailStore?> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _world = new MailWorld();
        var store = await CreateStoreAsync().WaitAsync(Timeout);
        _server = await ImapTestServer.StartAsync(_world, MailTlsMode.None, allowPlaintext: true, store: store).WaitAsync(Timeout);
    }

    public virtual async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task BINARY_of_a_quoted_printable_part_counts_and_returns_the_decoded_octets()
    {
        // RFC 3516 §4.2, RFC 2045 §6.7: soft line breaks and transport padding are not content.
        await using var client = await ImapTestServer.LoginAsync(_server);
        await AppendAsync(client, Encoding.ASCII.GetBytes(
            "Subject: qp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
            "--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\n" + QuotedPrintable +
            "\r\n--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=c3=a9 =3D=\r\nend=\r\n--x--\r\n"));
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2])")).Should().Equal(
            "* 1 FETCH (BINARY.SIZE[1] 65 BINARY.SIZE[2] 11)", "a OK FETCH completed");
        (await client.CommandAsync("b", "FETCH 1 BINARY.PEEK[1]")).Should().Equal(
            ["* 1 FETCH (BINARY[1] {65}", .. Decoded.Split("\r\n")[..^1], ")", "b OK FETCH completed"]);
        (await client.CommandAsync("c", "FETCH 1 BINARY.PEEK[2]")).Should().Equal("* 1 FETCH (BINARY[2] {11}", "café =end=)", "c OK FETCH completed");
        (await client.CommandAsync("d", "FETCH 1 FLAGS")).Should().Equal("* 1 FETCH (FLAGS (\\Recent))", "d OK FETCH completed");
    }

    [Theory]
    [InlineData("<0.10>", 0, 10)]
    [InlineData("<10.10>", 10, 10)]
    [InlineData("<15.10>", 15, 10)]
    [InlineData("<20.10>", 20, 10)]
    [InlineData("<40.100>", 40, 25)]
    [InlineData("<64.5>", 64, 1)]
    [InlineData("<65.5>", 65, 0)]
    [InlineData("<100.5>", 100, 0)]
    public async Task BINARY_partial_ranges_are_taken_from_the_decoded_octets(string partial, int offset, int length)
    {
        // RFC 3516 §4.3: the origin is an offset into the decoded data.
        await using var client = await ImapTestServer.LoginAsync(_server);
        await AppendAsync(client, Encoding.ASCII.GetBytes(
            "Subject: qp\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + QuotedPrintable));
        await client.CommandAsync("s", "EXAMINE INBOX");

        await client.SendAsync($"a FETCH 1 BINARY.PEEK[1]{partial}\r\n");
        (await client.ReadLineAsync()).Should().Be($"* 1 FETCH (BINARY[1]<{offset}> {{{length}}}");
        Encoding.ASCII.GetString(await client.ReadBytesAsync(length)).Should().Be(Decoded.Substring(Math.Min(offset, 65), length));
        (await client.ReadLineAsync()).Should().Be(")");
        (await client.ReadLineAsync()).Should().Be("a OK FETCH completed");
    }

    [Fact]
    public async Task BINARY_uses_a_literal8_only_for_data_holding_NUL()
    {
        // RFC 3516 §4.3: 8-bit data without NUL SHOULD be a plain literal.
        await using var client = await ImapTestServer.LoginAsync(_server);
        await AppendAsync(client, [.. Encoding.UTF8.GetBytes(
            "Subject: 8bit\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
            "--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncafé\r\n" +
            "--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nQQBC\r\n--x--\r\n")]);
        await client.CommandAsync("s", "EXAMINE INBOX");

        (await client.CommandAsync("a", "FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[2]<2.1> BINARY.PEEK[2]<0.2>)")).Should().Equal(
            "* 1 FETCH (BINARY[1] {5}", "café BINARY[2]<2> {1}", "B BINARY[2]<0> ~{2}", "A\0)", "a OK FETCH completed");
    }

    [Fact]
    public async Task A_binary_part_appended_with_a_literal8_comes_back_whole()
    {
        // RFC 3516 §4.4, §6: the part holding NUL is stored base64-encoded; BINARY[1] gives back every octet sent,
        // and BODY[1] and BODY[] are its base64 form, which a plain literal can carry (never an empty part).
        await using var client = await ImapTestServer.LoginAsync(_server);
        byte[] message = [.. Encoding.ASCII.GetBytes(
            "From: a@example.com\r\nSubject: binary\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n" +
            "Content-Transfer-Encoding: binary\r\n\r\n"), .. Octets];
        await client.SendAsync($"f APPEND INBOX ~{{{message.Length}}}\r\n");
        (await client.ReadLineAsync()).Should().Be("+ Ready for literal data");
        await client.SendRawAsync([.. message, (byte)'\r', (byte)'\n']);
        (await client.ReadUntilTaggedAsync("f")).Should().ContainSingle().Which.Should().MatchRegex(@"^f OK \[APPENDUID \d+ 1\] APPEND completed$");
        await client.CommandAsync("s", "EXAMINE INBOX");

        await client.SendAsync("a FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])\r\n");
        (await client.ReadLineAsync()).Should().Be($"* 1 FETCH (BINARY.SIZE[1] {Octets.Length} BINARY[1] ~{{{Octets.Length}}}");
        (await client.ReadBytesAsync(Octets.Length)).Should().Equal(Octets);
        (await client.ReadUntilTaggedAsync("a")).Should().Equal(")", "a OK FETCH completed");

        var base64 = Convert.ToBase64String(Octets);
        (await client.CommandAsync("b", "FETCH 1 (BODYSTRUCTURE BODY.PEEK[1])")).Should().Equal(
            $"* 1 FETCH (BODYSTRUCTURE (\"application\" \"octet-stream\" NIL NIL NIL \"BASE64\" {base64.Length + 2} NIL NIL NIL NIL) BODY[1] {{{base64.Length + 2}}}",
            base64,
            ")",
            "b OK FETCH completed");

        var whole = await client.CommandAsync("c", "FETCH 1 (RFC822.SIZE BODY.PEEK[])");
        whole[0].Should().MatchRegex(@"^\* 1 FETCH \(RFC822\.SIZE (\d+) BODY\[\] \{\1\}$");
        whole.Should().Contain("Content-Transfer-Encoding: base64").And.Contain(base64).And.NotContain(l => l.Contains('\0'));

        using var mailkit = await ImapTestServer.ConnectMailKitAsync(_server.Port, SecureSocketOptions.None);
        await mailkit.AuthenticateAsync("alice", MailWorld.AlicePassword);
        await mailkit.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var fetched = await mailkit.Inbox.GetMessageAsync(0);
        using var decoded = new MemoryStream();
        ((MimePart)fetched.Body!).Content!.DecodeTo(decoded);
        decoded.ToArray().Should().Equal(Octets);
        await mailkit.DisconnectAsync(true);
    }

    [Fact]
    public async Task Section_data_with_a_line_break_is_a_literal_and_no_string_carries_NUL()
    {
        // RFC 9051 §4.3: a quoted string holds no CR, LF or NUL, and literal data no NUL; an empty section is "".
        await using var client = await ImapTestServer.LoginAsync(_server);
        byte[] message = [.. "Subject: a\0b\r\nX-Empty:\r\n\r\nbody\r\n"u8];
        await client.SendAsync($"f APPEND INBOX ~{{{message.Length}+}}\r\n");
        await client.SendRawAsync([.. message, (byte)'\r', (byte)'\n']);
        (await client.ReadUntilTaggedAsync("f")).Last().Should().StartWith("f OK");
        await client.CommandAsync("s", "EXAMINE INBOX");

        (await client.CommandAsync("a", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (X-None)] BODY.PEEK[HEADER.FIELDS (X-Empty)])")).Should().Equal(
            "* 1 FETCH (BODY[HEADER.FIELDS (X-NONE)] {2}", "", " BODY[HEADER.FIELDS (X-EMPTY)] {12}", "X-Empty:", "", ")", "a OK FETCH completed");
        (await client.CommandAsync("b", "FETCH 1 (BODY.PEEK[2] BINARY.PEEK[2] BINARY.SIZE[2] BODY.PEEK[2.MIME])")).Should().Equal(
            "* 1 FETCH (BODY[2] \"\" BINARY[2] \"\" BINARY.SIZE[2] 0 BODY[2.MIME] \"\")", "b OK FETCH completed");
        var envelope = await client.CommandAsync("c", "FETCH 1 ENVELOPE");
        envelope[0].Should().Be("* 1 FETCH (ENVELOPE (NIL {5}");
        envelope[1].Should().StartWith("a\uFFFDb NIL");
        envelope.Should().NotContain(l => l.Contains('\0'));
    }

    private static async Task AppendAsync(LineClient client, byte[] message)
    {
        await client.SendAsync($"p APPEND INBOX {{{message.Length}+}}\r\n");
        await client.SendRawAsync([.. message, (byte)'\r', (byte)'\n']);
        (await client.ReadUntilTaggedAsync("p")).Last().Should().StartWith("p OK");
    }

    /// <summary>On the in-memory store.</summary>
    public sealed class InMemory : ImapBinaryTests
    {
        protected override Task<IMailStore?> CreateStoreAsync() => Task.FromResult<IMailStore?>(null);
    }

    /// <summary>On a SQLite store in a temporary directory.</summary>
    public sealed class Sqlite : ImapBinaryTests, IDisposable
    {
        private readonly TempDirectory _directory = new();
        private SqliteMailStore? _store;

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            if (_store is not null)
            {
                await _store.DisposeAsync();
            }
        }

        public void Dispose() => _directory.Dispose();

        protected override async Task<IMailStore?> CreateStoreAsync()
        {
            _store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = _directory.Path }, null, null, default);
            return _store;
        }
    }
}
