using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using MailHost.Server.Administration;
using MailHost.Server.Administration.Api;
using MailHost.Server.Administration.Health;
using MailHost.Server.Administration.Operations;
using MailHost.Server.Administration.Security;
using MailHost.Server.Administration.Tracing;
using Microsoft.AspNetCore.Http.Json;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the administration endpoint: console, API, health and what they use.</summary>
internal static class AdminServiceCollectionExtensions
{
    /// <summary>The rate limit policy of sign-in attempts, per client address.</summary>
    public const string SignInRateLimit = "mailhost-signin";

    /// <summary>
    /// Adds the administration services when <c>MailHost:Admin:Url</c> is set (the listener is always known, so a
    /// test or a status page can ask whether it runs). The URL is read here, so a bad one stops the start.
    /// </summary>
    /// <exception cref="MailHost.Hosting.MailHostConfigurationException">The URL is invalid.</exception>
    public static IServiceCollection AddMailHostAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<AdminListener>();
        if (AdminHttpSettings.Read(configuration) is not { } settings)
        {
            return services;
        }

        services.AddMailHostAdminAuthentication(settings.Https);
        services.AddAntiforgery(options =>
        {
            options.HeaderName = ApiAntiforgeryFilter.HeaderName;
            options.Cookie.Name = settings.Https ? "__Host-mailhost-antiforgery" : "mailhost-antiforgery";
            options.Cookie.SecurePolicy = settings.Https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // The brute-force throttle of every login already slows guessing per account and address; this bounds the
            // request rate of one address so a flood cannot keep the password hashing busy.
            options.AddPolicy(SignInRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "-",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        services.Configure<JsonOptions>(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi("v1");
        services.AddRazorComponents();
        services.AddMailHostAdminConsole();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"])
            .AddCheck<QueueWorkerHealthCheck>("queue-worker", tags: ["ready"])
            .AddCheck<CertificateHealthCheck>("certificate", tags: ["ready"]);

        services.AddSingleton<AdminAudit>();
        services.AddSingleton<AccountOperations>();
        services.AddSingleton<DomainOperations>();
        services.AddSingleton<QueueOperations>();
        services.AddSingleton<ApiKeyOperations>();
        services.AddSingleton<AppPasswordOperations>();
        services.AddSingleton<QuotaOperations>();
        services.AddSingleton<QuarantineOperations>(QuarantineOperations.Create);
        services.AddSingleton<SelfService>();
        services.AddSingleton<AdminSignIn>();
        services.AddSingleton<LiveTraces>();
        services.AddSingleton<TraceOperations>();
        services.AddSingleton<ILoggerProvider, LiveTraceLoggerProvider>();
        services.AddLogging(LiveTraceLoggerProvider.AddFilters);
        services.AddSingleton(sp => (MailHost.Accounts.IAdministrationDirectory)sp.GetRequiredService<MailHost.Accounts.Sql.SqlAccountDirectory>());
        return services;
    }
}
