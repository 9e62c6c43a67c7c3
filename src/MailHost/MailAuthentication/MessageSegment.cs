namespace MailHost.MailAuthentication;

/// <summary>A piece of a composed message: a range of the source stream, or bytes of its own.</summary>
internal readonly record struct MessageSegment(long Offset, long Length, ReadOnlyMemory<byte> Bytes)
{
    public bool IsLiteral => Offset < 0;

    public static MessageSegment Range(long offset, long length) => new(offset, length, default);

    public static MessageSegment Literal(ReadOnlyMemory<byte> bytes) => new(-1, bytes.Length, bytes);
}
