using System.Globalization;
using System.Text;

namespace MailHost.LoadTest;

/// <summary>
/// big: one client appends a message of <see cref="LoadOptions.MessageSize"/> bytes over IMAP (a synchronizing
/// literal written in 64 KiB pieces, so the client never holds it whole), fetches it back whole, retrieves it over
/// POP3 when <see cref="LoadOptions.Pop3Port"/> is set, and deletes it. With <see cref="LoadOptions.ServerPid"/> a
/// sampler reads the server's resident memory every 20 ms and the report gives the growth over the baseline during
/// each step. The same steps run first with a small message (<see cref="LoadOptions.WarmupSize"/>), so that what
/// any first command costs once (compiling its code, filling pools and caches) is not counted against the message.
/// </summary>
internal sealed class BigMessageLoad(LoadOptions options) : LoadRun(options)
{
    private const int LineLength = 78;
    private readonly Dictionary<string, long> _peakKbByStep = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _baselineKb = -1;
    private long _warmupGrowthKb = -1;
    private bool _warming;
    private string? _step;

    protected override bool RunsOnce => true;

    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        if (Options.WarmupSize > 0)
        {
            var cold = ProcessMemory.ResidentKb(Options.ServerPid);
            _warming = true;
            await ImapAsync(client, Options.WarmupSize, deadline).ConfigureAwait(false);
            if (Options.Pop3Port > 0)
            {
                await Pop3Async(client, deadline).ConfigureAwait(false);
            }

            _warming = false;
            _warmupGrowthKb = cold < 0 ? -1 : ProcessMemory.ResidentKb(Options.ServerPid) - cold;
        }

        using var stopSampler = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        _baselineKb = ProcessMemory.ResidentKb(Options.ServerPid);
        var sampler = SampleAsync(stopSampler.Token);
        try
        {
            await ImapAsync(client, Options.MessageSize, deadline).ConfigureAwait(false);
            if (Options.Pop3Port > 0)
            {
                await Pop3Async(client, deadline).ConfigureAwait(false);
            }
        }
        finally
        {
            await stopSampler.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
        }
    }

    protected override Task FinishAsync()
    {
        Notes.Add(string.Create(CultureInfo.InvariantCulture, $"message: {Options.MessageSize} bytes ({Options.MessageSize / 1048576.0:F1} MiB)"));
        if (_baselineKb < 0)
        {
            Notes.Add("server memory: not measured (give --pid)");
            return Task.CompletedTask;
        }

        if (_warmupGrowthKb >= 0)
        {
            Notes.Add(string.Create(CultureInfo.InvariantCulture, $"warm-up with a {Options.WarmupSize}-byte message first: resident memory grew {_warmupGrowthKb / 1024.0:F1} MiB (not counted)"));
        }

        Notes.Add(string.Create(CultureInfo.InvariantCulture, $"server resident memory before: {_baselineKb / 1024.0:F1} MiB"));
        lock (_lock)
        {
            foreach (var (step, peak) in _peakKbByStep)
            {
                Notes.Add(string.Create(CultureInfo.InvariantCulture, $"server memory growth during {step}: {(peak - _baselineKb) / 1024.0:F1} MiB (peak {peak / 1024.0:F1} MiB)"));
            }
        }

        return Task.CompletedTask;
    }

    private async Task ImapAsync(int client, long size, CancellationToken deadline)
    {
        Step("IMAP APPEND");
        LineConnection? c = null;
        if (!await MeasureAsync(Name("login"), async () => (c = await ImapProtocol.ConnectAndLoginAsync(Target, client, deadline).ConfigureAwait(false)) is not null).ConfigureAwait(false))
        {
            return;
        }

        await using var connection = c!;
        if (!await MeasureAsync(Name("APPEND"), () => AppendAsync(connection, size, deadline)).ConfigureAwait(false))
        {
            return;
        }

        Step("IMAP FETCH");
        var exists = 0;
        await MeasureAsync(Name("SELECT"), async () =>
        {
            var (ok, untagged) = await ImapProtocol.CommandAsync(connection, "SELECT INBOX", deadline).ConfigureAwait(false);
            exists = untagged.Select(l => l.Split(' ')).Where(p => p.Length == 3 && p[2] == "EXISTS").Select(p => int.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault();
            return ok && exists > 0;
        }).ConfigureAwait(false);
        if (exists == 0)
        {
            return;
        }

        // The untagged FETCH carries the body as a literal; the client skips it as it arrives.
        await MeasureAsync(Name("FETCH-BODY"), async () => (await ImapProtocol.CommandAsync(connection, $"FETCH {exists} BODY.PEEK[]", deadline).ConfigureAwait(false)).Ok).ConfigureAwait(false);
        if (Options.Pop3Port == 0)
        {
            await ImapProtocol.CommandAsync(connection, $"STORE {exists} +FLAGS.SILENT (\\Deleted)", deadline).ConfigureAwait(false);
            await ImapProtocol.CommandAsync(connection, "EXPUNGE", deadline).ConfigureAwait(false);
        }

        await ImapProtocol.CommandAsync(connection, "LOGOUT", deadline).ConfigureAwait(false);
    }

    private static async Task<bool> AppendAsync(LineConnection connection, long size, CancellationToken deadline)
    {
        var tag = ImapProtocol.NextTag();
        await connection.WriteAsync($"{tag} APPEND INBOX {{{size}}}\r\n", deadline).ConfigureAwait(false);
        if (!(await connection.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith('+'))
        {
            return false;
        }

        await WriteMessageAsync(connection, size, deadline).ConfigureAwait(false);
        await connection.WriteAsync("\r\n", deadline).ConfigureAwait(false);
        return (await ImapProtocol.ReadUntilTaggedAsync(connection, tag, deadline).ConfigureAwait(false)).Ok;
    }

    /// <summary>Writes a message of exactly <paramref name="size"/> bytes: a header, then lines of 76 characters and CRLF.</summary>
    private static async Task WriteMessageAsync(LineConnection connection, long size, CancellationToken deadline)
    {
        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"From: load@example.com\r\nTo: load@example.com\r\nMessage-ID: <{Guid.NewGuid():N}@load.test>\r\nDate: {DateTimeOffset.UtcNow:r}\r\nSubject: big message");
        if ((size - header.Length - 4) % LineLength == 1)
        {
            // A last line of one byte cannot end with CRLF: lengthen the header instead.
            header += ".";
        }

        var headerBytes = Encoding.ASCII.GetBytes(header + "\r\n\r\n");
        await connection.WriteAsync(headerBytes, deadline).ConfigureAwait(false);
        var remaining = size - headerBytes.Length;

        var piece = new byte[LineLength * 840];
        for (var i = 0; i < piece.Length; i += LineLength)
        {
            piece.AsSpan(i, LineLength - 2).Fill((byte)'x');
            piece[i + LineLength - 2] = (byte)'\r';
            piece[i + LineLength - 1] = (byte)'\n';
        }

        while (remaining >= LineLength)
        {
            var take = (int)Math.Min(piece.Length, remaining / LineLength * LineLength);
            await connection.WriteAsync(piece.AsMemory(0, take), deadline).ConfigureAwait(false);
            remaining -= take;
        }

        if (remaining > 0)
        {
            var last = piece.AsSpan(LineLength - (int)remaining, (int)remaining).ToArray();
            await connection.WriteAsync(last, deadline).ConfigureAwait(false);
        }
    }

    private async Task Pop3Async(int client, CancellationToken deadline)
    {
        Step("POP3 RETR");
        var target = new System.Net.IPEndPoint(Options.Host, Options.Pop3Port);
        await using var c = await LineConnection.ConnectAsync(target, ImplicitTls, deadline).ConfigureAwait(false);
        if (!(await c.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal))
        {
            return;
        }

        if (StartTls)
        {
            if (!await Pop3CommandAsync(c, "STLS", deadline).ConfigureAwait(false))
            {
                return;
            }

            await c.StartTlsAsync(deadline).ConfigureAwait(false);
        }

        if (!await MeasureAsync(Name("POP3-login"), async () =>
                await Pop3CommandAsync(c, "USER " + Options.User(client), deadline).ConfigureAwait(false)
                && await Pop3CommandAsync(c, "PASS " + Options.Password, deadline).ConfigureAwait(false)).ConfigureAwait(false))
        {
            return;
        }

        await c.WriteAsync("STAT\r\n", deadline).ConfigureAwait(false);
        var stat = (await c.ReadLineAsync(deadline).ConfigureAwait(false)).Split(' ');
        if (stat.Length < 3 || stat[0] != "+OK" || !int.TryParse(stat[1], CultureInfo.InvariantCulture, out var count) || count == 0)
        {
            Stats(Name("RETR")).RecordError();
            return;
        }

        await MeasureAsync(Name("RETR"), async () =>
        {
            await c.WriteAsync($"RETR {count}\r\n", deadline).ConfigureAwait(false);
            if (!(await c.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal))
            {
                return false;
            }

            await c.ReadDotTerminatedAsync(deadline).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        await Pop3CommandAsync(c, $"DELE {count}", deadline).ConfigureAwait(false);
        await Pop3CommandAsync(c, "QUIT", deadline).ConfigureAwait(false);
    }

    private static async Task<bool> Pop3CommandAsync(LineConnection connection, string command, CancellationToken ct)
    {
        await connection.WriteAsync(command + "\r\n", ct).ConfigureAwait(false);
        return (await connection.ReadLineAsync(ct).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal);
    }

    /// <summary>Operations of the warm-up are reported apart from the measured ones.</summary>
    private string Name(string operation) => _warming ? "warm-up " + operation : operation;

    private void Step(string name)
    {
        if (_warming)
        {
            return;
        }

        lock (_lock)
        {
            _step = name;
            _peakKbByStep.TryAdd(name, _baselineKb);
        }
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        if (Options.ServerPid is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var kb = ProcessMemory.ResidentKb(Options.ServerPid);
                lock (_lock)
                {
                    if (_step is not null && kb > _peakKbByStep[_step])
                    {
                        _peakKbByStep[_step] = kb;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The scenario ended.
        }
    }
}
