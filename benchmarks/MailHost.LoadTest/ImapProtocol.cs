using System.Globalization;
using System.Text.RegularExpressions;

namespace MailHost.LoadTest;

/// <summary>Just enough IMAP client: tagged commands, untagged lines with literals skipped, login and STARTTLS.</summary>
internal static partial class ImapProtocol
{
    private static int _tag;

    public static string NextTag() => "L" + Interlocked.Increment(ref _tag).ToString(CultureInfo.InvariantCulture);

    /// <summary>Sends a command and reads up to its tagged reply; returns (ok, the untagged lines).</summary>
    public static async Task<(bool Ok, List<string> Untagged)> CommandAsync(LineConnection connection, string command, CancellationToken ct, ReadOnlyMemory<byte> literal = default)
    {
        var tag = NextTag();
        if (literal.IsEmpty)
        {
            await connection.WriteAsync($"{tag} {command}\r\n", ct).ConfigureAwait(false);
        }
        else
        {
            // A synchronizing literal: wait for the continuation, then send the bytes and the end of the line.
            await connection.WriteAsync($"{tag} {command} {{{literal.Length}}}\r\n", ct).ConfigureAwait(false);
            var go = await connection.ReadLineAsync(ct).ConfigureAwait(false);
            if (!go.StartsWith('+'))
            {
                return (false, [go]);
            }

            await connection.WriteAsync(literal, ct).ConfigureAwait(false);
            await connection.WriteAsync("\r\n", ct).ConfigureAwait(false);
        }

        return await ReadUntilTaggedAsync(connection, tag, ct).ConfigureAwait(false);
    }

    public static async Task<(bool Ok, List<string> Untagged)> ReadUntilTaggedAsync(LineConnection connection, string tag, CancellationToken ct)
    {
        // Kept cheap per line: a FETCH of a whole mailbox answers thousands of lines, and this client shares the
        // machine's cores with the server it measures.
        var untagged = new List<string>();
        var tagged = tag + " ";
        while (true)
        {
            var line = await connection.ReadLineAsync(ct).ConfigureAwait(false);
            while (line.EndsWith('}') && LiteralAtEnd().Match(line) is { Success: true } m)
            {
                await connection.SkipAsync(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
                line = await connection.ReadLineAsync(ct).ConfigureAwait(false);
            }

            if (line.StartsWith(tagged, StringComparison.Ordinal))
            {
                return (line.AsSpan(tagged.Length).StartsWith("OK", StringComparison.Ordinal), untagged);
            }

            untagged.Add(line);
        }
    }

    public static async Task<LineConnection?> ConnectAndLoginAsync(LoadRun.Context context, int client, CancellationToken ct)
    {
        var c = await LineConnection.ConnectAsync(context.EndPoint, context.ImplicitTls, ct).ConfigureAwait(false);
        try
        {
            if (!(await c.ReadLineAsync(ct).ConfigureAwait(false)).StartsWith("* OK", StringComparison.Ordinal))
            {
                await c.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            if (context.StartTls)
            {
                if (!(await CommandAsync(c, "STARTTLS", ct).ConfigureAwait(false)).Ok)
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                    return null;
                }

                await c.StartTlsAsync(ct).ConfigureAwait(false);
            }

            var (ok, _) = await CommandAsync(c, $"LOGIN \"{context.Options.User(client)}\" \"{context.Options.Password}\"", ct).ConfigureAwait(false);
            if (!ok)
            {
                await c.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return c;
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [GeneratedRegex(@"\{(\d+)\+?\}$")]
    private static partial Regex LiteralAtEnd();
}
