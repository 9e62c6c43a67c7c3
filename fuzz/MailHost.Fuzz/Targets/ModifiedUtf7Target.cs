using System.Text;
using MailHost.Protocols.Text;

namespace MailHost.Fuzz.Targets;

/// <summary>Modified UTF-7 mailbox names (RFC 3501 §5.1.3), both ways.</summary>
/// <remarks>
/// Invariants: what decodes re-encodes to the same bytes (the decoder accepts canonical encodings only); both decode
/// overloads agree; any well-formed string (the input read as UTF-8) encodes to printable ASCII that decodes back to it;
/// the span encoder writes the same bytes as <see cref="ModifiedUtf7.Encode"/> and at most
/// <see cref="ModifiedUtf7.MaxBytesPerChar"/> bytes per character.
/// </remarks>
internal static class ModifiedUtf7Target
{

    public static void Run(byte[] data)
    {
        if (ModifiedUtf7.TryDecode(data, out var name))
        {
            var again = ModifiedUtf7.Encode(name);
            FuzzInvariantException.Check(again == Encoding.Latin1.GetString(data), $"'{Encoding.Latin1.GetString(data)}' decodes to a name that encodes as '{again}'");
        }

        var ascii = Encoding.Latin1.GetString(data);
        var viaString = ModifiedUtf7.TryDecode(ascii, out var nameFromString);
        FuzzInvariantException.Check(viaString == ModifiedUtf7.TryDecode(data, out var nameFromBytes) && nameFromString == nameFromBytes, "The two TryDecode overloads disagree");

        var text = Encoding.UTF8.GetString(data);
        var encoded = ModifiedUtf7.Encode(text);
        FuzzInvariantException.Check(encoded.All(c => c is >= ' ' and <= '~'), $"Encoding gave a non-printable character: {encoded}");
        FuzzInvariantException.Check(ModifiedUtf7.TryDecode(encoded, out var decoded) && decoded == text, $"'{text}' encodes as '{encoded}', which decodes as '{decoded}'");
        var span = new byte[Math.Max(1, text.Length * ModifiedUtf7.MaxBytesPerChar)];
        FuzzInvariantException.Check(ModifiedUtf7.TryEncode(text, span, out var written), "TryEncode refused a well-formed string with room to spare");
        FuzzInvariantException.Check(Encoding.ASCII.GetString(span, 0, written) == encoded, "TryEncode and Encode disagree");
    }
}
