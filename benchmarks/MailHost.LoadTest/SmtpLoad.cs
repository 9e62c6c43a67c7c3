using System.Globalization;
using System.Text;

namespace MailHost.LoadTest;

/// <summary>SMTP: sessions that each send a number of messages; only a 250 after the data counts as a message.</summary>
internal sealed class SmtpLoad(LoadOptions options) : LoadRun(options)
{
    private int _serial;

    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        await using var c = await LineConnection.ConnectAsync(EndPoint, ImplicitTls, deadline).ConfigureAwait(false);
        if (!await MeasureAsync("connect", async () => (await ReadReplyAsync(c, deadline).ConfigureAwait(false)) == 220).ConfigureAwait(false))
        {
            return;
        }

        if (!await MeasureAsync("EHLO", async () => await CommandAsync(c, "EHLO load.test\r\n", deadline).ConfigureAwait(false) == 250).ConfigureAwait(false))
        {
            return;
        }

        if (StartTls)
        {
            if (await CommandAsync(c, "STARTTLS\r\n", deadline).ConfigureAwait(false) != 220)
            {
                Stats("STARTTLS").RecordError();
                return;
            }

            await c.StartTlsAsync(deadline).ConfigureAwait(false);
            await CommandAsync(c, "EHLO load.test\r\n", deadline).ConfigureAwait(false);
        }

        if (Options.Tls != "none")
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Options.User(client)}\0{Options.Password}"));
            if (!await MeasureAsync("AUTH", async () => await CommandAsync(c, $"AUTH PLAIN {token}\r\n", deadline).ConfigureAwait(false) == 235).ConfigureAwait(false))
            {
                return;
            }
        }

        for (var m = 0; m < Options.MessagesPerSession && KeepGoing(deadline); m++)
        {
            var serial = Interlocked.Increment(ref _serial);
            if (Options.MessageCount > 0 && serial > Options.MessageCount)
            {
                Finish();
                break;
            }

            var recipients = Enumerable.Range(0, Options.Recipients)
                .Select(r => string.Format(CultureInfo.InvariantCulture, Options.RecipientPattern, (serial + r) % Math.Max(1, Options.Users)))
                .ToList();
            var body = BuildMessage(Options, recipients[0], serial);
            await PaceAsync(deadline).ConfigureAwait(false);
            await MeasureAsync("message", async () =>
            {
                if (await CommandAsync(c, $"MAIL FROM:<{Options.Sender}>\r\n", deadline).ConfigureAwait(false) != 250)
                {
                    return false;
                }

                foreach (var recipient in recipients)
                {
                    if (await CommandAsync(c, $"RCPT TO:<{recipient}>\r\n", deadline).ConfigureAwait(false) != 250)
                    {
                        await CommandAsync(c, "RSET\r\n", deadline).ConfigureAwait(false);
                        return false;
                    }
                }

                if (await CommandAsync(c, "DATA\r\n", deadline).ConfigureAwait(false) != 354)
                {
                    return false;
                }

                await c.WriteAsync(body, deadline).ConfigureAwait(false);
                return await CommandAsync(c, ".\r\n", deadline).ConfigureAwait(false) == 250;
            }).ConfigureAwait(false);
        }

        await CommandAsync(c, "QUIT\r\n", deadline).ConfigureAwait(false);
    }

    private static async Task<int> CommandAsync(LineConnection connection, string command, CancellationToken ct)
    {
        await connection.WriteAsync(command, ct).ConfigureAwait(false);
        return await ReadReplyAsync(connection, ct).ConfigureAwait(false);
    }

    /// <summary>Reads a (possibly multi-line) reply and returns its code.</summary>
    private static async Task<int> ReadReplyAsync(LineConnection connection, CancellationToken ct)
    {
        while (true)
        {
            var line = await connection.ReadLineAsync(ct).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new InvalidDataException("not an SMTP reply: " + line);
            }

            if (line.Length == 3 || line[3] == ' ')
            {
                return code;
            }
        }
    }
}
