namespace MailHost.Protocols.Imap;

/// <summary>
/// One element of a sequence set (RFC 9051 §9 <c>seq-range</c> or a single <c>seq-number</c>). 0 stands for <c>*</c>
/// (the largest number in use); a single number has <see cref="Start"/> == <see cref="End"/>. Ranges are unordered:
/// <c>4:2</c> equals <c>2:4</c>.
/// </summary>
public readonly record struct ImapSequenceRange(uint Start, uint End)
{
    /// <summary>The value used for <c>*</c>.</summary>
    public const uint Star = 0;

    /// <summary>The lowest and highest numbers covered, with <c>*</c> replaced by <paramref name="largest"/>.</summary>
    public (uint Low, uint High) Resolve(uint largest)
    {
        var a = Start == Star ? largest : Start;
        var b = End == Star ? largest : End;
        return a <= b ? (a, b) : (b, a);
    }
}
