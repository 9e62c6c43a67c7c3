namespace MailHost.Server.Administration.Operations;

/// <summary>Who makes a change and from where, as the audit log records it.</summary>
internal sealed record AdminActor(string Name, string? RemoteAddress)
{
    /// <summary>The signed-in account or API key of a request, and the client's address.</summary>
    public static AdminActor From(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return new AdminActor(http.User.Identity?.Name ?? "anonymous", http.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>The operator at the server's command line.</summary>
    public static AdminActor CommandLine() => new("cli:" + Environment.UserName, null);
}
