using System.Text;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// The <c>saslname</c> of SCRAM (RFC 5802 §5.1) and of the GS2 header (RFC 5801 §4), which OAUTHBEARER reuses
/// (RFC 7628 §3.1): a name in which <c>,</c> is written <c>=2C</c> and <c>=</c> is written <c>=3D</c>.
/// </summary>
internal static class SaslName
{
    /// <summary>Decodes a saslname; <see langword="null"/> when an <c>=</c> is followed by anything but <c>2C</c> or <c>3D</c>.</summary>
    public static string? Decode(ReadOnlySpan<char> value)
    {
        if (!value.Contains('='))
        {
            return value.ToString();
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '=')
            {
                builder.Append(value[i]);
            }
            else if (value[(i + 1)..].StartsWith("2C"))
            {
                builder.Append(',');
                i += 2;
            }
            else if (value[(i + 1)..].StartsWith("3D"))
            {
                builder.Append('=');
                i += 2;
            }
            else
            {
                return null;
            }
        }

        return builder.ToString();
    }
}
