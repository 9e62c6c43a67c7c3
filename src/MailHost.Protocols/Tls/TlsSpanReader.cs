namespace MailHost.Protocols.Tls;

/// <summary>
/// A bounds-checked reader over TLS presentation-language structures (RFC 8446 §3): big-endian integers and
/// length-prefixed vectors. Every read returns false instead of reading past the end.
/// </summary>
internal ref struct TlsSpanReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public readonly bool IsEmpty => _rest.IsEmpty;

    public bool TryReadUInt8(out byte value)
    {
        if (_rest.IsEmpty)
        {
            value = 0;
            return false;
        }

        value = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (_rest.Length < 2)
        {
            value = 0;
            return false;
        }

        value = (ushort)((_rest[0] << 8) | _rest[1]);
        _rest = _rest[2..];
        return true;
    }

    public bool TrySkip(int count)
    {
        if ((uint)count > (uint)_rest.Length)
        {
            return false;
        }

        _rest = _rest[count..];
        return true;
    }

    /// <summary>Reads <c>opaque x&lt;0..2^8-1&gt;</c>: a one-byte length and that many bytes.</summary>
    public bool TryReadVector8(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt8(out var length) && TryTake(length, out value);
    }

    /// <summary>Reads <c>opaque x&lt;0..2^16-1&gt;</c>: a two-byte length and that many bytes.</summary>
    public bool TryReadVector16(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt16(out var length) && TryTake(length, out value);
    }

    private bool TryTake(int count, out ReadOnlySpan<byte> value)
    {
        if (count > _rest.Length)
        {
            value = default;
            return false;
        }

        value = _rest[..count];
        _rest = _rest[count..];
        return true;
    }
}
