using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace MailHost.Filtering.Rspamd;

/// <summary>
/// What MailHost uses of rspamd's <c>/checkv2</c> reply (rspamd protocol, "Rspamd HTTP reply"): the action, the scores,
/// the symbols, the rewritten subject, the SMTP message and the milter block of the <c>milter_headers</c> module.
/// Values are as rspamd sent them: not yet cleaned for use in a header field or an SMTP reply.
/// </summary>
internal sealed record RspamdReply
{
    /// <summary>rspamd's action (<see cref="RspamdActions"/>).</summary>
    public required string Action { get; init; }

    /// <summary>The message's score.</summary>
    public double Score { get; init; }

    /// <summary>The score of the reject action (rspamd's <c>required_score</c>).</summary>
    public double RequiredScore { get; init; }

    /// <summary>The rules that matched, in rspamd's order.</summary>
    public IReadOnlyList<RspamdSymbol> Symbols { get; init; } = [];

    /// <summary>The subject rspamd made for <c>rewrite subject</c> (<c>***SPAM*** original</c> by default); null otherwise.</summary>
    public string? Subject { get; init; }

    /// <summary>The text rspamd wants in the SMTP reply (<c>messages.smtp_message</c>); null when none.</summary>
    public string? SmtpMessage { get; init; }

    /// <summary>Fields to add (<c>milter.add_headers</c>), in rspamd's order; a name may come more than once.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AddHeaders { get; init; } = [];

    /// <summary>
    /// Fields to remove (<c>milter.remove_headers</c>): the name and which instance, 0 meaning all of them (the only
    /// value rspamd's own routines use), n the n-th, -n the n-th from the end.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, int>> RemoveHeaders { get; init; } = [];

    /// <summary>
    /// Reads a <c>/checkv2</c> reply. False, with <paramref name="error"/> saying why, when it is not JSON, not an
    /// object, or has no <c>action</c> or <c>score</c>; unknown members are ignored, as rspamd adds new ones over time.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, [NotNullWhen(true)] out RspamdReply? reply, [NotNullWhen(false)] out string? error)
    {
        reply = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"the reply is a JSON {root.ValueKind}, not an object";
                return false;
            }

            if (!root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                error = root.TryGetProperty("error", out var reported) ? $"rspamd reported: {reported}" : "the reply has no \"action\"";
                return false;
            }

            if (!root.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number)
            {
                error = "the reply has no numeric \"score\"";
                return false;
            }

            var (add, remove) = ReadMilter(root);
            reply = new RspamdReply
            {
                Action = action.GetString()!,
                Score = score.GetDouble(),
                RequiredScore = Number(root, "required_score"),
                Symbols = ReadSymbols(root),
                Subject = String(root, "subject"),
                SmtpMessage = root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Object
                    ? String(messages, "smtp_message")
                    : null,
                AddHeaders = add,
                RemoveHeaders = remove,
            };
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"the reply is not JSON ({ex.Message})";
            return false;
        }
    }

    /// <summary><c>symbols</c>: an object of objects keyed by symbol name, each with <c>name</c> and <c>score</c>.</summary>
    private static List<RspamdSymbol> ReadSymbols(JsonElement root)
    {
        var symbols = new List<RspamdSymbol>();
        if (!root.TryGetProperty("symbols", out var all) || all.ValueKind != JsonValueKind.Object)
        {
            return symbols;
        }

        foreach (var symbol in all.EnumerateObject())
        {
            var value = symbol.Value;
            var name = value.ValueKind == JsonValueKind.Object ? String(value, "name") ?? symbol.Name : symbol.Name;
            var score = value.ValueKind == JsonValueKind.Object ? Number(value, "score") : 0;
            symbols.Add(new RspamdSymbol(name, score));
        }

        return symbols;
    }

    /// <summary>
    /// <c>milter.add_headers</c> maps a name to a string, an object <c>{"value": ..., "order": n}</c>, or an array of
    /// either (several fields of one name); <c>milter.remove_headers</c> maps a name to the instance to remove.
    /// </summary>
    private static (List<KeyValuePair<string, string>> Add, List<KeyValuePair<string, int>> Remove) ReadMilter(JsonElement root)
    {
        var add = new List<KeyValuePair<string, string>>();
        var remove = new List<KeyValuePair<string, int>>();
        if (!root.TryGetProperty("milter", out var milter) || milter.ValueKind != JsonValueKind.Object)
        {
            return (add, remove);
        }

        if (milter.TryGetProperty("add_headers", out var adds) && adds.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in adds.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in header.Value.EnumerateArray())
                    {
                        AddValue(add, header.Name, item);
                    }
                }
                else
                {
                    AddValue(add, header.Name, header.Value);
                }
            }
        }

        if (milter.TryGetProperty("remove_headers", out var removes) && removes.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in removes.EnumerateObject())
            {
                var instance = header.Value.ValueKind == JsonValueKind.Number && header.Value.TryGetInt32(out var n) ? n : 0;
                remove.Add(new(header.Name, instance));
            }
        }

        return (add, remove);
    }

    private static void AddValue(List<KeyValuePair<string, string>> add, string name, JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => String(value, "value"),
            _ => null,
        };
        if (text is not null)
        {
            add.Add(new(name, text));
        }
    }

    private static string? String(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;
}
