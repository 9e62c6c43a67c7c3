namespace MailHost.LoadTest;

/// <summary>POP3: log in, STAT, LIST, RETR and DELE the first message, QUIT; again and again.</summary>
internal sealed class Pop3Load(LoadOptions options) : LoadRun(options)
{
    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        LineConnection? connection = null;
        if (!await MeasureAsync("connect", async () =>
            {
                connection = await LineConnection.ConnectAsync(EndPoint, ImplicitTls, deadline).ConfigureAwait(false);
                if (!(await connection.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal))
                {
                    return false;
                }

                if (StartTls)
                {
                    await connection.WriteAsync("STLS\r\n", deadline).ConfigureAwait(false);
                    if (!(await connection.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal))
                    {
                        return false;
                    }

                    await connection.StartTlsAsync(deadline).ConfigureAwait(false);
                }

                return true;
            }).ConfigureAwait(false))
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return;
        }

        await using var c = connection!;
        if (!await MeasureAsync("login", async () =>
                await CommandAsync(c, $"USER {Options.User(client)}\r\n", deadline).ConfigureAwait(false)
                && await CommandAsync(c, $"PASS {Options.Password}\r\n", deadline).ConfigureAwait(false)).ConfigureAwait(false))
        {
            return;
        }

        var count = 0;
        await MeasureAsync("STAT", async () =>
        {
            await c.WriteAsync("STAT\r\n", deadline).ConfigureAwait(false);
            var line = await c.ReadLineAsync(deadline).ConfigureAwait(false);
            var parts = line.Split(' ');
            return parts.Length >= 3 && parts[0] == "+OK" && int.TryParse(parts[1], out count);
        }).ConfigureAwait(false);
        await MeasureAsync("LIST", async () =>
        {
            await c.WriteAsync("LIST\r\n", deadline).ConfigureAwait(false);
            if (!(await c.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal))
            {
                return false;
            }

            await c.ReadDotTerminatedAsync(deadline).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        if (count > 0)
        {
            await MeasureAsync("RETR", async () =>
            {
                await c.WriteAsync("RETR 1\r\n", deadline).ConfigureAwait(false);
                if (!(await c.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal))
                {
                    return false;
                }

                await c.ReadDotTerminatedAsync(deadline).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            await MeasureAsync("DELE", () => CommandAsync(c, "DELE 1\r\n", deadline)).ConfigureAwait(false);
        }

        await MeasureAsync("QUIT", () => CommandAsync(c, "QUIT\r\n", deadline)).ConfigureAwait(false);
    }

    private static async Task<bool> CommandAsync(LineConnection connection, string command, CancellationToken ct)
    {
        await connection.WriteAsync(command, ct).ConfigureAwait(false);
        return (await connection.ReadLineAsync(ct).ConfigureAwait(false)).StartsWith("+OK", StringComparison.Ordinal);
    }
}
