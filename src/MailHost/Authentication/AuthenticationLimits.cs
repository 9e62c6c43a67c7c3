namespace MailHost.Authentication;

/// <summary>Limits the authenticators apply to client-supplied login names before anything else sees them.</summary>
internal static class AuthenticationLimits
{
    /// <summary>
    /// Longest login name accepted, in UTF-16 code units. RFC 4616 §2 requires servers to accept 255 octets for
    /// authcid; longer logins are treated as unknown (never passed to a resolver).
    /// </summary>
    public const int MaxLoginLength = 255;

    /// <summary>
    /// Whether <paramref name="login"/> may be passed to an <see cref="IAuthIdentityResolver"/>: not empty, at most
    /// <see cref="MaxLoginLength"/> characters, no control characters (C0, DEL, C1) and no unpaired surrogates.
    /// </summary>
    public static bool IsAcceptableLogin(string? login)
    {
        if (string.IsNullOrEmpty(login) || login.Length > MaxLoginLength)
        {
            return false;
        }

        for (var i = 0; i < login.Length; i++)
        {
            var c = login[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < login.Length && char.IsLowSurrogate(login[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A form of any login that is safe to log and store: control characters and broken surrogates become
    /// <c>?</c> and the text is cut at <see cref="MaxLoginLength"/>.</summary>
    public static string SanitizeLogin(string? login)
    {
        if (login is null)
        {
            return string.Empty;
        }

        if (IsAcceptableLogin(login))
        {
            return login;
        }

        var chars = login.Length > MaxLoginLength ? login.ToCharArray(0, MaxLoginLength) : login.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsControl(chars[i]) || char.IsSurrogate(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }
}
