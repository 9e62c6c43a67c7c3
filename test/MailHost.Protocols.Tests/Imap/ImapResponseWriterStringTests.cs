using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

/// <summary>
/// Every place that chooses between an atom, a quoted string and a literal (RFC 9051 §4.3): a quoted string never
/// holds CR, LF or NUL, literal data never holds NUL, and the value read back is the value written.
/// </summary>
public class ImapResponseWriterStringTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Char["ab \"\\\r\n\0\t%*(){}~é台\x7F"].Array[0, 40].Select(c => new string(c)),
        Gen.Const("NIL"),
        Gen.Const("a\r\nb"),
        Gen.Const("\r"),
        Gen.Const("\n"));

    [Theory]
    [InlineData("a\rb", "{3}\r\na\rb")]
    [InlineData("a\nb", "{3}\r\na\nb")]
    [InlineData("\r\n", "{2}\r\n\r\n")]
    [InlineData("a\0b", "{5}\r\na\uFFFDb")]
    [InlineData("\0", "{3}\r\n\uFFFD")]
    public void Line_breaks_go_out_as_literals_and_NUL_never_goes_out(string value, string expected)
    {
        Write(w => w.WriteString(value)).Should().Be(expected);
        Write(w => w.WriteNString(value)).Should().Be(expected);
        Write(w => w.WriteAString(value)).Should().Be(expected);
        Write(w => w.WriteQuoted(value)).Should().Be(expected);

        // With UTF-8 enabled, U+FFFD may be quoted; a line break still may not.
        Write(w => w.WriteMailbox(value), utf8: true).Should().Be(value.Contains('\0') ? $"\"{value.Replace('\0', '\uFFFD')}\"" : expected);
    }

    [Fact]
    public void Strings_read_back_as_written_and_quoted_strings_hold_no_line_break_or_NUL()
    {
        Gen.Select(Text, Gen.Bool).Sample((value, utf8) =>
        {
            var expected = value.Replace('\0', '\uFFFD');
            foreach (var write in new Action<ImapResponseWriter>[] { w => w.WriteString(value), w => w.WriteNString(value), w => w.WriteAString(value) })
            {
                var output = WriteBytes(write, utf8);
                Check(output).Should().BeNull();
                ReadValue(output).Should().Be(expected);
            }

            Check(WriteBytes(w => w.WriteMailbox(value.Replace('\0', ' ')), utf8)).Should().BeNull();
        });
    }

    [Fact]
    public void Envelopes_body_structures_lists_and_statuses_never_break_a_line_inside_a_value()
    {
        Gen.Select(Text, Text, Text, Gen.Bool).Sample((a, b, c, utf8) =>
        {
            var address = new ImapAddress(a, null, b, c);
            var envelope = new ImapEnvelope(a, b, [address], [address], null, [address], [address], null, c, a);
            var body = new ImapBodyStructure("text", b, [new(a, c)], a, b, "7BIT", 3, 1, c, a, [new(b, c)], [a, b], c);
            var message = new ImapBodyStructure("message", "rfc822", null, null, null, "7BIT", 10, Envelope: envelope, Parts: [body], Lines: 2);
            Check(WriteBytes(w => w.WriteEnvelope(envelope), utf8)).Should().BeNull();
            Check(WriteBytes(w => w.WriteBodyStructure(message, extensible: true), utf8)).Should().BeNull();
            Check(WriteBytes(w => w.WriteBodyStructure(new ImapBodyStructure("multipart", a, [new(b, c)], Parts: [body]), extensible: true), utf8)).Should().BeNull();
            Check(WriteBytes(w => w.WriteList("LIST"u8, ["\\HasNoChildren"], '/', a.Replace('\0', ' '), childInfo: true, oldName: b.Replace('\0', ' ')), utf8)[..^2]).Should().BeNull();
            Check(WriteBytes(w => w.WriteStatus(c.Replace('\0', ' '), [new(ImapStatusItems.Messages, 1)]), utf8)[..^2]).Should().BeNull();
        });
    }

    private static string Write(Action<ImapResponseWriter> write, bool utf8 = false) => Encoding.UTF8.GetString(WriteBytes(write, utf8));

    private static byte[] WriteBytes(Action<ImapResponseWriter> write, bool utf8)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new ImapResponseWriter(output) { Utf8Enabled = utf8 });
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Walks IMAP response bytes: outside strings no CR, LF or NUL; inside a quoted string none of them either; a
    /// literal's data may hold CR and LF but not NUL. Returns what is wrong, or null.
    /// </summary>
    private static string? Check(byte[] bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == '"')
            {
                for (i++; i < bytes.Length && bytes[i] != '"'; i++)
                {
                    if (bytes[i] == '\\')
                    {
                        i++;
                    }
                    else if (bytes[i] is (byte)'\r' or (byte)'\n' or 0)
                    {
                        return $"0x{bytes[i]:X2} inside a quoted string at {i}";
                    }
                }

                if (i >= bytes.Length)
                {
                    return "an unterminated quoted string";
                }

                i++;
            }
            else if (b == '{' || (b == '~' && i + 1 < bytes.Length && bytes[i + 1] == '{'))
            {
                var binary = b == '~';
                var close = Array.IndexOf(bytes, (byte)'}', i);
                var length = int.Parse(Encoding.ASCII.GetString(bytes, i + (binary ? 2 : 1), close - i - (binary ? 2 : 1)), System.Globalization.CultureInfo.InvariantCulture);
                if (bytes[close + 1] != '\r' || bytes[close + 2] != '\n')
                {
                    return "a literal without CRLF after its length";
                }

                var data = bytes.AsSpan(close + 3, length);
                if (!binary && data.Contains((byte)0))
                {
                    return "NUL inside a literal";
                }

                i = close + 3 + length;
            }
            else if (b is (byte)'\r' or (byte)'\n' or 0)
            {
                return $"0x{b:X2} outside any string at {i}";
            }
            else
            {
                i++;
            }
        }

        return null;
    }

    /// <summary>The value of one atom, quoted string or literal (RFC 9051 §9 <c>astring</c>).</summary>
    private static string ReadValue(byte[] bytes)
    {
        if (bytes[0] == '"')
        {
            var text = new List<byte>();
            for (var i = 1; bytes[i] != '"'; i++)
            {
                if (bytes[i] == '\\')
                {
                    i++;
                }

                text.Add(bytes[i]);
            }

            return Encoding.UTF8.GetString([.. text]);
        }

        if (bytes[0] == '{')
        {
            var close = Array.IndexOf(bytes, (byte)'}');
            return Encoding.UTF8.GetString(bytes, close + 3, bytes.Length - close - 3);
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
