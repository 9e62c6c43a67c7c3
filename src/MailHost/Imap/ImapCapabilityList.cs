using System.Globalization;

namespace MailHost.Imap;

/// <summary>
/// The capabilities a session advertises (RFC 9051 §6.1.1, §7.2.2), which depend on its TLS and login state: in the
/// greeting, in CAPABILITY, in the OK of a login, and as the list ENABLE accepts from. After login, the capabilities
/// the account's client policy hides are left out of all of them.
/// </summary>
internal sealed class ImapCapabilityList(ImapSessionState session, ImapServices services, IImapConnection connection)
{
    /// <summary>Whether passwords may be sent on this connection: over TLS, or where the operator allows plain text.</summary>
    public bool PasswordsAllowed => services.Passwords.IsAllowed(session.Connection.IsTls, session.Connection.Endpoint.AllowPlaintextAuthentication);

    /// <summary>
    /// The capabilities for the current TLS and login state (RFC 9051 §6.1.1, §6.2.1): STARTTLS only where it can be
    /// used; LOGINDISABLED and no AUTH= on a plain connection unless the operator allows plain-text authentication.
    /// </summary>
    public List<string> List()
    {
        var list = new List<string> { "IMAP4rev1", "IMAP4rev2" };
        if (session.State == ImapState.NotAuthenticated)
        {
            if (connection.CanStartTls)
            {
                list.Add("STARTTLS");
            }

            if (!PasswordsAllowed)
            {
                list.Add("LOGINDISABLED");
            }

            foreach (var mechanism in services.Sasl.GetMechanisms(session.Connection.IsTls, session.Connection.Endpoint.AllowPlaintextAuthentication))
            {
                list.Add("AUTH=" + mechanism);
            }

            list.Add("SASL-IR");
        }

        list.AddRange(Extensions());
        return list;
    }

    /// <summary>
    /// Whether the account's client policy hides every capability that announces <paramref name="command"/>
    /// (<see cref="ImapCommandTable.ExtensionsOf"/>): the session then answers it as an unknown command.
    /// </summary>
    public bool IsHidden(Protocols.Imap.ImapCommand command)
    {
        var extensions = ImapCommandTable.ExtensionsOf(command);
        return extensions.Length > 0 && session.State != ImapState.NotAuthenticated && extensions.All(session.Policy.HidesImapCapability);
    }

    /// <summary>The response code <c>CAPABILITY ...</c> for the greeting and login replies.</summary>
    public string Code() => "CAPABILITY " + string.Join(' ', List());

    /// <summary>The capabilities of implemented extensions, in the order advertised.</summary>
    public List<string> Extensions()
    {
        List<string> list =
        [
            "LITERAL+", "ENABLE", "ID", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN",
            "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "CREATE-SPECIAL-USE", "STATUS=SIZE", "MULTIAPPEND",
            "APPENDLIMIT=" + services.Options.MaxAppendSize.ToString(CultureInfo.InvariantCulture),
            "ESEARCH", "SEARCHRES", "CONDSTORE", "QRESYNC", "WITHIN", "SAVEDATE", "OBJECTID", "PREVIEW", "BINARY",
            "SORT", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "UTF8=ACCEPT",
        ];
        if (!connection.IsCompressed)
        {
            list.Add("COMPRESS=DEFLATE");
        }

        if (session.Quota is not null)
        {
            list.AddRange(["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"]);
        }

        // Hidden for clients that break on one (a per-account client policy); never before login, where the
        // account is unknown. ENABLE accepts only from this list, so a hidden CONDSTORE or QRESYNC is not enabled.
        if (list.RemoveAll(session.Policy.HidesImapCapability) > 0 && !list.Contains("CONDSTORE"))
        {
            // RFC 7162 §3.2: QRESYNC requires CONDSTORE; hiding the one hides both.
            list.Remove("QRESYNC");
        }

        return list;
    }
}
