namespace MailHost.Filtering;

/// <summary>
/// A change a filter asks for in the header of the stored message. Added fields go at the top, below this server's
/// trace fields (RFC 5322 §3.6: trace fields first, in the order they were added).
/// </summary>
/// <param name="Kind">Add, replace or remove.</param>
/// <param name="Name">The field name (<c>X-Spam-Status</c>), compared without case for replace and remove.</param>
/// <param name="Value">The unfolded value for add and replace; ignored for remove. Line breaks are not allowed.</param>
public sealed record InboundHeaderChange(InboundHeaderChangeKind Kind, string Name, string? Value)
{
    /// <summary>Adds a field at the top of the header.</summary>
    public static InboundHeaderChange Add(string name, string value) => new(InboundHeaderChangeKind.Add, name, value);

    /// <summary>Replaces every field of that name with one field of <paramref name="value"/> where the first was (added when none).</summary>
    public static InboundHeaderChange Replace(string name, string value) => new(InboundHeaderChangeKind.Replace, name, value);

    /// <summary>Removes every field of that name from the client's header.</summary>
    public static InboundHeaderChange Remove(string name) => new(InboundHeaderChangeKind.Remove, name, null);
}
