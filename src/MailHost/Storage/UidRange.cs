namespace MailHost.Storage;

/// <summary>An inclusive range of UIDs, <c>First &lt;= Last</c>.</summary>
/// <param name="First">The lowest UID in the range.</param>
/// <param name="Last">The highest UID in the range.</param>
public readonly record struct UidRange(uint First, uint Last)
{
    /// <summary>Number of UIDs in the range.</summary>
    public long Count => (long)Last - First + 1;

    /// <summary>Whether <paramref name="uid"/> lies in the range.</summary>
    public bool Contains(uint uid) => uid >= First && uid <= Last;
}
