using System.Text;
using System.Xml.Linq;
using MailHost.Accounts;

namespace MailHost.Server.Onboarding;

/// <summary>
/// The onboarding routes on the host's HTTP endpoint. Each handler reads the request, asks
/// <see cref="MailClientSettingsSource"/> for the settings of the endpoints really running, and writes one format.
/// An address is never looked up: a known and an unknown address get answers of the same shape, so the routes do not
/// tell anyone which accounts exist.
/// </summary>
internal static partial class OnboardingRoutes
{
    /// <summary>The largest autodiscover request body read; Outlook's is well under 1 KiB.</summary>
    public const int MaxRequestBodyBytes = 16 * 1024;

    /// <summary>The Apple profile's path (MailHost's own; Apple defines none).</summary>
    public const string AppleProfilePath = "/apple/mailhost.mobileconfig";

    /// <summary>Maps the routes when <c>MailHost:Http</c> configures a listener; does nothing otherwise.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!OnboardingHttpSettings.Read(app.Configuration).IsEnabled)
        {
            return;
        }

        // Thunderbird asks autoconfig.DOMAIN first, then DOMAIN/.well-known (Thunderbird's Autoconfiguration wiki).
        app.MapGet("/mail/config-v1.1.xml", ThunderbirdAsync);
        app.MapGet("/.well-known/autoconfig/mail/config-v1.1.xml", ThunderbirdAsync);
        // Routes match without regard to case, so Outlook's /Autodiscover/Autodiscover.xml lands here too.
        app.MapPost(AutodiscoverJson.PoxPath, OutlookAsync);
        app.MapGet("/autodiscover/autodiscover.json", AutodiscoverJsonAsync);
        app.MapGet("/autodiscover/autodiscover.json/v1.0/{email}", AutodiscoverJsonAsync);
        app.MapGet(AppleProfilePath, AppleAsync);
        app.MapGet(MtaStsPolicy.Path, MtaStsAsync);

        var listeners = app.Services.GetRequiredService<OnboardingListeners>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MailHost.Server.Onboarding");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var (scheme, endPoint) in new[] { ("http", listeners.HttpEndPoint), ("https", listeners.HttpsEndPoint) })
            {
                if (endPoint is not null)
                {
                    LogListening(logger, scheme, endPoint.ToString());
                }
            }
        });
    }

    private static async Task ThunderbirdAsync(HttpContext context)
    {
        if (!OnboardingAddress.TryParse(context.Request.Query["emailaddress"], out var address))
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "Give the address as ?emailaddress=user@example.com\n").ConfigureAwait(false);
            return;
        }

        var admin = context.RequestServices.GetService<IAccountAdministration>();
        var domains = admin is null ? [] : await admin.ListDomainsAsync(context.RequestAborted).ConfigureAwait(false);
        var settings = context.RequestServices.GetRequiredService<MailClientSettingsSource>().Current();
        await WriteXmlAsync(context, ThunderbirdAutoconfig.Create(settings, address, domains), ThunderbirdAutoconfig.ContentType).ConfigureAwait(false);
    }

    private static async Task OutlookAsync(HttpContext context)
    {
        var body = await BoundedRequestBody.ReadAsync(context.Request, MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await WriteTextAsync(context, StatusCodes.Status413PayloadTooLarge, $"An autodiscover request is at most {MaxRequestBodyBytes} bytes.\n").ConfigureAwait(false);
            return;
        }

        var request = OutlookAutodiscoverRequest.Parse(body.Value);
        if (request is null)
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "The body is not an autodiscover request (well-formed XML without a DTD).\n").ConfigureAwait(false);
            return;
        }

        if (request.AcceptableResponseSchema is { } schema && schema != OutlookAutodiscover.OutlookResponseSchema)
        {
            await WriteXmlAsync(context, OutlookAutodiscover.ProviderNotAvailable(schema), OutlookAutodiscover.ContentType).ConfigureAwait(false);
            return;
        }

        if (!OnboardingAddress.TryParse(request.EmailAddress, out var address))
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "The request has no valid EMailAddress.\n").ConfigureAwait(false);
            return;
        }

        var settings = context.RequestServices.GetRequiredService<MailClientSettingsSource>().Current();
        await WriteXmlAsync(context, OutlookAutodiscover.Create(settings, address), OutlookAutodiscover.ContentType).ConfigureAwait(false);
    }

    private static async Task AutodiscoverJsonAsync(HttpContext context)
    {
        var protocol = context.Request.Query["Protocol"].ToString();
        context.Response.ContentType = "application/json; charset=utf-8";
        if (!string.Equals(protocol, AutodiscoverJson.AutodiscoverV1, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.Body.WriteAsync(AutodiscoverJson.InvalidProtocol(protocol), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        // The URL Outlook reached this host by; Outlook wants HTTPS, so a plain-HTTP host belongs behind a TLS proxy.
        var baseUrl = context.Request.Scheme + "://" + context.Request.Host.ToUriComponent();
        await context.Response.Body.WriteAsync(AutodiscoverJson.Found(baseUrl), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AppleAsync(HttpContext context)
    {
        if (!OnboardingAddress.TryParse(context.Request.Query["emailaddress"], out var address))
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "Give the address as ?emailaddress=user@example.com\n").ConfigureAwait(false);
            return;
        }

        var settings = context.RequestServices.GetRequiredService<MailClientSettingsSource>().Current();
        if (AppleMailProfile.Create(settings, address) is not { } profile)
        {
            await WriteTextAsync(context, StatusCodes.Status404NotFound, "This host has no IMAP or no submission endpoint with TLS to describe.\n").ConfigureAwait(false);
            return;
        }

        var certificate = context.RequestServices.GetRequiredService<MailServerCertificate>().Find(null, settings.Hostname);
        var signed = AppleProfileSigner.SignIfTrusted(profile, certificate);
        context.Response.ContentType = AppleMailProfile.ContentType;
        context.Response.Headers.ContentDisposition = "attachment; filename=\"mailhost.mobileconfig\"";
        await context.Response.Body.WriteAsync(signed, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task MtaStsAsync(HttpContext context)
    {
        // RFC 8461 §3.3: the policy lives at https://mta-sts.DOMAIN/.well-known/mta-sts.txt for each policy domain.
        var policy = context.RequestServices.GetRequiredService<OnboardingPolicies>().MtaSts;
        var host = MailAddressCanonicalizer.CanonicalizeDomain(context.Request.Host.Host);
        var directory = context.RequestServices.GetRequiredService<IAccountDirectory>();
        if (policy is null
            || host is null
            || !host.StartsWith(MtaStsPolicy.HostPrefix, StringComparison.Ordinal)
            || !await directory.IsLocalDomainAsync(host[MtaStsPolicy.HostPrefix.Length..], context.RequestAborted).ConfigureAwait(false))
        {
            await WriteTextAsync(context, StatusCodes.Status404NotFound, "No MTA-STS policy here.\n").ConfigureAwait(false);
            return;
        }

        await WriteTextAsync(context, StatusCodes.Status200OK, policy.ToText()).ConfigureAwait(false);
    }

    private static async Task WriteXmlAsync(HttpContext context, XDocument document, string contentType)
    {
        context.Response.ContentType = contentType;
        await using var buffer = new MemoryStream();
        await document.SaveAsync(buffer, SaveOptions.None, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(1500, LogLevel.Information, "Listening: onboarding {Scheme} on {Address}")]
    private static partial void LogListening(ILogger logger, string scheme, string address);
}
