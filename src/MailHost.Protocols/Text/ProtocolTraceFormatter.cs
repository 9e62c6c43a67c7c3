using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace MailHost.Protocols.Text;

/// <summary>
/// Formats raw protocol bytes as one printable trace line: printable ASCII as-is, everything else as a
/// backslash and two upper-case hex digits (a TLS hello shows as <c>\16\03\01...</c>). Pure, thread-safe,
/// one string allocation per call.
/// </summary>
public static class ProtocolTraceFormatter
{
    /// <summary>The default and usual cap on the length of a trace line, in characters.</summary>
    public const int DefaultMaxLength = 1024;

    /// <summary>The smallest cap accepted: room for the truncation marker and some content.</summary>
    public const int MinimumMaxLength = 32;

    private const string TruncationStart = "... (+";
    private const string TruncationEnd = " bytes)";

    // Printable ASCII except the backslash, which always starts an escape.
    private static readonly SearchValues<byte> ShownAsIs =
        SearchValues.Create(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>
    /// Escapes <paramref name="bytes"/>: 0x20..0x7E are written as-is except the backslash, which is written
    /// <c>\5C</c> so that every backslash in the output starts an escape; every other byte is written as
    /// <c>\XX</c> (upper-case hex). One trailing CRLF or LF is dropped (the trace is per line; a lone trailing
    /// CR is shown). When the result would be longer than <paramref name="maxLength"/> characters, it is cut
    /// between escapes and ends with <c>... (+N bytes)</c>, N being the number of input bytes not shown;
    /// the result never exceeds <paramref name="maxLength"/> characters.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below <see cref="MinimumMaxLength"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (span or sequence), so no call is ambiguous; both ship together.")]
    public static string Escape(ReadOnlySpan<byte> bytes, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, MinimumMaxLength);
        bytes = TrimLineEnding(bytes);
        return EscapeCore(bytes, bytes.Length, maxLength);
    }

    /// <summary>
    /// Escapes a possibly multi-segment buffer; same contract as the span overload. Copies at most
    /// <paramref name="maxLength"/> + 1 bytes, however long the buffer is.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below <see cref="MinimumMaxLength"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (span or sequence), so no call is ambiguous; both ship together.")]
    public static string Escape(in ReadOnlySequence<byte> bytes, int maxLength = DefaultMaxLength)
    {
        if (bytes.IsSingleSegment)
        {
            return Escape(bytes.FirstSpan, maxLength);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, MinimumMaxLength);
        var total = bytes.Length;
        Span<byte> tail = stackalloc byte[2];
        var tailLength = (int)Math.Min(total, 2);
        bytes.Slice(total - tailLength).CopyTo(tail);
        total -= tailLength - TrimLineEnding(tail[..tailLength]).Length;

        // Every shown byte costs at least one character, so maxLength + 1 bytes are enough to decide.
        var visible = (int)Math.Min(total, (long)maxLength + 1);
        byte[]? rented = null;
        var copy = visible <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(visible));
        try
        {
            bytes.Slice(0, visible).CopyTo(copy);
            return EscapeCore(copy[..visible], total, maxLength);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Drops one trailing CRLF or LF.</summary>
    internal static ReadOnlySpan<byte> TrimLineEnding(ReadOnlySpan<byte> bytes)
    {
        if (bytes.EndsWith("\r\n"u8))
        {
            return bytes[..^2];
        }

        return bytes.EndsWith("\n"u8) ? bytes[..^1] : bytes;
    }

    /// <summary>
    /// Escapes <paramref name="visible"/>, a prefix of content that is <paramref name="total"/> bytes long.
    /// When visible is shorter than total, visible must hold at least maxLength + 1 bytes.
    /// </summary>
    private static string EscapeCore(ReadOnlySpan<byte> visible, long total, int maxLength)
    {
        // Every byte costs at least one character, so content longer than maxLength is always cut.
        if (total <= maxLength)
        {
            var fullLength = visible.Length + (2 * CountEscaped(visible));
            if (fullLength <= maxLength)
            {
                return string.Create(fullLength, new EscapeState(visible, 0), Write);
            }
        }

        // Reserve room for the marker as if no byte were shown, so N never needs more digits than reserved.
        var budget = maxLength - TruncationStart.Length - TruncationEnd.Length - CountDigits(total);
        var shownLength = 0;
        var shown = 0;
        while (shown < visible.Length && shownLength + Width(visible[shown]) <= budget)
        {
            shownLength += Width(visible[shown]);
            shown++;
        }

        var omitted = total - shown;
        var length = shownLength + TruncationStart.Length + CountDigits(omitted) + TruncationEnd.Length;
        return string.Create(length, new EscapeState(visible[..shown], omitted), Write);
    }

    private static int CountEscaped(ReadOnlySpan<byte> bytes)
    {
        // Vectorised skip over the printable start (all of a usual command line), then a scalar count.
        var first = bytes.IndexOfAnyExcept(ShownAsIs);
        if (first < 0)
        {
            return 0;
        }

        var count = 0;
        foreach (var b in bytes[first..])
        {
            if (!IsShownAsIs(b))
            {
                count++;
            }
        }

        return count;
    }

    private static void Write(Span<char> destination, EscapeState state)
    {
        const int ShortRun = 16;
        var hex = "0123456789ABCDEF"u8;
        var bytes = state.Bytes;
        var at = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            // A printable run: the first bytes one by one (binary data has short runs), and once a run is
            // long (text), the rest found and widened with vector instructions.
            var run = 0;
            while (run < ShortRun && i + run < bytes.Length && IsShownAsIs(bytes[i + run]))
            {
                destination[at + run] = (char)bytes[i + run];
                run++;
            }

            if (run == ShortRun)
            {
                var rest = bytes[(i + ShortRun)..];
                var more = rest.IndexOfAnyExcept(ShownAsIs);
                Ascii.ToUtf16(more < 0 ? rest : rest[..more], destination[(at + ShortRun)..], out var widened);
                run += widened;
            }

            at += run;
            i += run;
            if (i == bytes.Length)
            {
                break;
            }

            var b = bytes[i++];
            destination[at++] = '\\';
            destination[at++] = (char)hex[b >> 4];
            destination[at++] = (char)hex[b & 0xF];
        }

        if (at < destination.Length)
        {
            TruncationStart.CopyTo(destination[at..]);
            at += TruncationStart.Length;
            state.Omitted.TryFormat(destination[at..], out var written, provider: CultureInfo.InvariantCulture);
            at += written;
            TruncationEnd.CopyTo(destination[at..]);
        }
    }

    private static bool IsShownAsIs(byte b) => (uint)(b - 0x20) <= 0x7E - 0x20 && b != (byte)'\\';

    private static int Width(byte b) => IsShownAsIs(b) ? 1 : 3;

    private static int CountDigits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private readonly ref struct EscapeState(ReadOnlySpan<byte> bytes, long omitted)
    {
        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public long Omitted { get; } = omitted;
    }
}
