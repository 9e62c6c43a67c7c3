using System.Security.Cryptography;

namespace MailHost.Storage;

/// <summary>New EMAILID and THREADID values (RFC 8474 <c>objectid</c>: letters, digits, <c>-</c> and <c>_</c>).</summary>
public static class MailObjectIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new EMAILID (<c>M</c> and 24 random base-32 characters).</summary>
    public static string NewEmailId() => "M" + Random(24);

    /// <summary>A new THREADID (<c>T</c> and 24 random base-32 characters).</summary>
    public static string NewThreadId() => "T" + Random(24);

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
