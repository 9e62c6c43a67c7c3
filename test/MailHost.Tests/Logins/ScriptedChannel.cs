using System.Text;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

/// <summary>A SASL channel whose client answers each challenge through a callback (decoded challenge in, raw line out).</summary>
public sealed class ScriptedChannel(Func<string, string> respond) : ISaslChallengeChannel
{
    private string? _next;

    /// <summary>Creates a channel that answers challenges in order with fixed lines.</summary>
    public static ScriptedChannel Lines(params string[] lines)
    {
        var queue = new Queue<string>(lines);
        return new ScriptedChannel(_ => queue.Count > 0 ? queue.Dequeue() : throw new IOException("Client has no more lines."));
    }

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Challenges sent, base64-decoded.</summary>
    public List<string> Challenges { get; } = [];

    /// <summary>Challenges sent, as base64 text.</summary>
    public List<string> RawChallenges { get; } = [];

    public ValueTask SendChallengeAsync(ReadOnlyMemory<byte> base64Challenge, CancellationToken ct)
    {
        var raw = Encoding.ASCII.GetString(base64Challenge.Span);
        RawChallenges.Add(raw);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        Challenges.Add(decoded);
        _next = respond(decoded);
        return ValueTask.CompletedTask;
    }

    public ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct)
    {
        var line = _next ?? throw new InvalidOperationException("Read without a challenge.");
        _next = null;
        return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.ASCII.GetBytes(line));
    }
}
