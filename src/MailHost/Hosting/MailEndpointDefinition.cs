using System.Net;

namespace MailHost.Hosting;

/// <summary>One endpoint read from <c>MailHost:Endpoints:&lt;Name&gt;</c>.</summary>
/// <param name="Name">The configuration key of the endpoint.</param>
/// <param name="Url">The URL as configured.</param>
/// <param name="Address">The address to bind, or null for every address (<c>*</c>).</param>
/// <param name="IsLocalhost">Bind the loopback addresses (host <c>localhost</c>).</param>
/// <param name="Port">The port.</param>
/// <param name="Enabled">False when the endpoint is switched off.</param>
/// <param name="Options">The endpoint's settings, ready for <see cref="Microsoft.AspNetCore.Hosting.MailListenOptionsExtensions.UseMail{THandler}"/>.</param>
public sealed record MailEndpointDefinition(
    string Name,
    string Url,
    IPAddress? Address,
    bool IsLocalhost,
    int Port,
    bool Enabled,
    MailEndpointOptions Options);
