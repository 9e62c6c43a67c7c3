namespace MailHost.Storage.Mime;

/// <summary>
/// Undoes the quoted-printable content-transfer-encoding of a body (RFC 2045 §6.7), fed in pieces of any size: the
/// output is the same whichever way the input is split. One decoder per body; call <see cref="Flush"/> after the
/// last piece. Not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// MimeKit's <c>QuotedPrintableDecoder</c> is not used for this because it gets two of the rules wrong: it keeps the
/// trailing whitespace of a line (rule 3 says it was added in transport and must be deleted), and it passes a soft
/// line break padded with whitespace (<c>"=" SP CRLF</c>, rules 3 and 5) through as <c>"= "</c> and a line break;
/// it also drops an <c>=X</c> left pending at the end of the input. BINARY[] (RFC 3516 §4.2) must count and return
/// exactly the decoded octets, so those differences show up as wrong sizes and stray text.
/// </para>
/// <para>The rules, with the leniency RFC 2045 §6.7 suggests for robust decoders:</para>
/// <list type="bullet">
/// <item><c>=XX</c> with two hexadecimal digits is that octet; lower-case digits are accepted too (rule 1).</item>
/// <item>Spaces and tabs at the end of a line, and at the end of the body, are deleted (rule 3).</item>
/// <item><c>=</c> at the end of a line, after any such whitespace, is a soft line break and gives nothing (rule 5).</item>
/// <item>A line break is CRLF; a bare LF is taken as one too (stored messages may use bare LF) and kept as it is.</item>
/// <item>
/// A malformed <c>=</c> (not followed by two hexadecimal digits or a line end), including one that ends the body
/// (notes 2 and 3), is left in the output as it is; the octets after it are decoded normally.
/// </item>
/// <item>Any other octet, a bare CR included, is copied as it is (note 4 allows dropping them; nothing is lost this way).</item>
/// </list>
/// <para>
/// Whitespace is held back until the octet after it shows whether it ends a line. A run longer than
/// <see cref="MaxHeldWhitespace"/> cannot be transport padding on a line of legal length (RFC 5322 §2.1.1), so it
/// is written out as data: memory stays bounded whatever the input.
/// </para>
/// </remarks>
internal sealed class QuotedPrintableBodyDecoder
{
    /// <summary>Longest run of spaces and tabs held back: the longest line RFC 5322 §2.1.1 allows.</summary>
    public const int MaxHeldWhitespace = 998;

    // Held besides the whitespace: "=", one hex digit, and a CR.
    private const int MaxHeldOther = 3;

    private readonly byte[] _whitespace = new byte[MaxHeldWhitespace];
    private int _whitespaceLength;
    private State _state;
    private byte _digit;

    private enum State
    {
        /// <summary>Ordinary text; <see cref="_whitespace"/> holds spaces and tabs not yet known to be data.</summary>
        Text,

        /// <summary>After a CR in text; the whitespace before it is still held.</summary>
        CarriageReturn,

        /// <summary>After <c>=</c>.</summary>
        Equals,

        /// <summary>After <c>=</c> and one hexadecimal digit (<see cref="_digit"/>).</summary>
        EqualsDigit,

        /// <summary>After <c>=</c> and whitespace (held in <see cref="_whitespace"/>): a padded soft line break if a line end follows.</summary>
        EqualsWhitespace,

        /// <summary>After <c>=</c>, optional whitespace and a CR.</summary>
        EqualsCarriageReturn,
    }

    /// <summary>The most octets one <see cref="Decode"/> or <see cref="Flush"/> call can write for <paramref name="inputLength"/> input octets.</summary>
    public static int GetMaxOutputLength(int inputLength) => checked(inputLength + MaxHeldWhitespace + MaxHeldOther);

    /// <summary>Decodes the next piece of the body into <paramref name="output"/> and returns how many octets were written.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="GetMaxOutputLength"/> of the input.</exception>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < GetMaxOutputLength(input.Length))
        {
            throw new ArgumentException("The output is too short.", nameof(output));
        }

        var written = 0;
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            switch (_state)
            {
                case State.Text:
                    if (b is (byte)' ' or (byte)'\t')
                    {
                        HoldWhitespace(b, output, ref written);
                    }
                    else if (b == '\r')
                    {
                        _state = State.CarriageReturn;
                    }
                    else if (b == '\n')
                    {
                        // Rule 3: whitespace before a line break is transport padding.
                        _whitespaceLength = 0;
                        output[written++] = b;
                    }
                    else
                    {
                        written += ReleaseWhitespace(output[written..]);
                        if (b == '=')
                        {
                            _state = State.Equals;
                        }
                        else
                        {
                            output[written++] = b;
                        }
                    }

                    break;

                case State.CarriageReturn:
                    _state = State.Text;
                    if (b == '\n')
                    {
                        _whitespaceLength = 0;
                        output[written++] = (byte)'\r';
                        output[written++] = b;
                    }
                    else
                    {
                        // A bare CR is data, so the whitespace before it did not end a line.
                        written += ReleaseWhitespace(output[written..]);
                        output[written++] = (byte)'\r';
                        i--;
                    }

                    break;

                case State.Equals:
                    if (IsHexDigit(b))
                    {
                        _digit = b;
                        _state = State.EqualsDigit;
                    }
                    else if (b is (byte)' ' or (byte)'\t')
                    {
                        _whitespace[0] = b;
                        _whitespaceLength = 1;
                        _state = State.EqualsWhitespace;
                    }
                    else if (b == '\r')
                    {
                        _state = State.EqualsCarriageReturn;
                    }
                    else if (b == '\n')
                    {
                        // Rule 5: a soft line break (with a bare LF).
                        _state = State.Text;
                    }
                    else
                    {
                        // Note 2: "=" not followed by a hex digit or a line end stays as it is.
                        output[written++] = (byte)'=';
                        _state = State.Text;
                        i--;
                    }

                    break;

                case State.EqualsDigit:
                    _state = State.Text;
                    if (IsHexDigit(b))
                    {
                        output[written++] = (byte)((HexValue(_digit) << 4) | HexValue(b));
                    }
                    else
                    {
                        output[written++] = (byte)'=';
                        output[written++] = _digit;
                        i--;
                    }

                    break;

                case State.EqualsWhitespace:
                    if (b is (byte)' ' or (byte)'\t')
                    {
                        if (_whitespaceLength == MaxHeldWhitespace)
                        {
                            // Too long to be padding: the "=" and the run are data, and a new run starts.
                            output[written++] = (byte)'=';
                            written += ReleaseWhitespace(output[written..]);
                            _state = State.Text;
                        }

                        _whitespace[_whitespaceLength++] = b;
                    }
                    else if (b == '\r')
                    {
                        _state = State.EqualsCarriageReturn;
                    }
                    else if (b == '\n')
                    {
                        _whitespaceLength = 0;
                        _state = State.Text;
                    }
                    else
                    {
                        output[written++] = (byte)'=';
                        written += ReleaseWhitespace(output[written..]);
                        _state = State.Text;
                        i--;
                    }

                    break;

                default:
                    _state = State.Text;
                    if (b == '\n')
                    {
                        // Rules 3 and 5: "=", any padding, CRLF is a soft line break.
                        _whitespaceLength = 0;
                    }
                    else
                    {
                        output[written++] = (byte)'=';
                        written += ReleaseWhitespace(output[written..]);
                        output[written++] = (byte)'\r';
                        i--;
                    }

                    break;
            }
        }

        return written;
    }

    /// <summary>Ends the body: writes what was held back and returns how many octets were written; the decoder is then reset.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="GetMaxOutputLength"/>(0).</exception>
    public int Flush(Span<byte> output)
    {
        if (output.Length < GetMaxOutputLength(0))
        {
            throw new ArgumentException("The output is too short.", nameof(output));
        }

        var written = 0;
        switch (_state)
        {
            case State.CarriageReturn:
                written += ReleaseWhitespace(output);
                output[written++] = (byte)'\r';
                break;
            case State.Equals or State.EqualsWhitespace:
                // Note 3: an "=" that ends the body is malformed and stays; whitespace after it is trailing (rule 3).
                output[written++] = (byte)'=';
                break;
            case State.EqualsDigit:
                output[written++] = (byte)'=';
                output[written++] = _digit;
                break;
            case State.EqualsCarriageReturn:
                output[written++] = (byte)'=';
                written += ReleaseWhitespace(output[written..]);
                output[written++] = (byte)'\r';
                break;
            default:
                // Rule 3: whitespace at the end of the last line is deleted like any other trailing whitespace.
                break;
        }

        Reset();
        return written;
    }

    /// <summary>Forgets everything held, ready for a new body.</summary>
    public void Reset()
    {
        _state = State.Text;
        _whitespaceLength = 0;
        _digit = 0;
    }

    private void HoldWhitespace(byte b, Span<byte> output, ref int written)
    {
        if (_whitespaceLength == MaxHeldWhitespace)
        {
            written += ReleaseWhitespace(output[written..]);
        }

        _whitespace[_whitespaceLength++] = b;
    }

    private int ReleaseWhitespace(Span<byte> output)
    {
        var length = _whitespaceLength;
        _whitespace.AsSpan(0, length).CopyTo(output);
        _whitespaceLength = 0;
        return length;
    }

    private static bool IsHexDigit(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
