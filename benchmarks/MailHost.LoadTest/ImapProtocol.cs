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
        var reply = await ExchangeAsync(connection, command, ct, literal).ConfigureAwait(false);
        return (reply.Ok, reply.Untagged);
    }

    /// <summary>Sends a command (with one message literal when given) and returns the whole reply.</summary>
    public static async Task<ImapReply> ExchangeAsync(LineConnection connection, string command, CancellationToken ct, ReadOnlyMemory<byte> literal = default)
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
                return new ImapReply(tag, go, []);
            }

            await connection.WriteAsync(literal, ct).ConfigureAwait(false);
            await connection.WriteAsync("\r\n", ct).ConfigureAwait(false);
        }

        return await ReadReplyAsync(connection, tag, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One APPEND of several messages (MULTIAPPEND, RFC 3502 §6.3.11): the server stores them in this order and in one
    /// go, so a mailbox is filled faster than one APPEND at a time and every server assigns the same UIDs.
    /// </summary>
    /// <remarks>Each message is a flag list without parentheses (e.g. <c>\Seen $Junk</c>, or empty), an internal date and its bytes.</remarks>
    public static async Task<ImapReply> MultiAppendAsync(LineConnection connection, string mailbox, IReadOnlyList<(string Flags, DateTimeOffset Date, byte[] Content)> messages, CancellationToken ct)
    {
        var tag = NextTag();
        var prefix = $"{tag} APPEND {mailbox}";
        foreach (var (flags, date, content) in messages)
        {
            // RFC 9051 §6.3.12: APPEND's date-time sets the internal date, which SINCE/BEFORE/ON compare.
            var when = date.ToUniversalTime().ToString("dd-MMM-yyyy HH:mm:ss", CultureInfo.InvariantCulture);
            var flagList = flags.Length > 0 ? $" ({flags})" : "";
            await connection.WriteAsync($"{prefix}{flagList} \"{when} +0000\" {{{content.Length}}}\r\n", ct).ConfigureAwait(false);
            var go = await connection.ReadLineAsync(ct).ConfigureAwait(false);
            if (!go.StartsWith('+'))
            {
                return new ImapReply(tag, go, []);
            }

            await connection.WriteAsync(content, ct).ConfigureAwait(false);
            prefix = "";
        }

        await connection.WriteAsync("\r\n", ct).ConfigureAwait(false);
        return await ReadReplyAsync(connection, tag, ct).ConfigureAwait(false);
    }

    public static async Task<(bool Ok, List<string> Untagged)> ReadUntilTaggedAsync(LineConnection connection, string tag, CancellationToken ct)
    {
        var reply = await ReadReplyAsync(connection, tag, ct).ConfigureAwait(false);
        return (reply.Ok, reply.Untagged);
    }

    private static async Task<ImapReply> ReadReplyAsync(LineConnection connection, string tag, CancellationToken ct)
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
                return new ImapReply(tag, line, untagged);
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

    /// <summary>The count of an untagged <c>* N EXISTS</c> line (RFC 9051 §7.4.1), or -1 for any other line.</summary>
    public static int ParseExists(string line)
    {
        if (!line.EndsWith(" EXISTS", StringComparison.Ordinal))
        {
            return -1;
        }

        var parts = line.Split(' ');
        return parts.Length == 3 && parts[0] == "*" && parts[2] == "EXISTS" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }

    [GeneratedRegex(@"\{(\d+)\+?\}$")]
    private static partial Regex LiteralAtEnd();
}
