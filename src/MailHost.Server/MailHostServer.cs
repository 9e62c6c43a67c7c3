using MailHost.Delivery;
using MailHost.Hosting;
using MailHost.Server.Admin;
using MailHost.Server.Service;
using MailHost.Server.Telemetry;
using MailHost.Smtp;
using MailHost.Accounts.Sql;
using Npgsql;

namespace MailHost.Server;

/// <summary>
/// The <c>mailhost</c> executable: <c>mailhost [serve]</c> runs the server; <c>--version</c> prints the version,
/// <c>service</c> installs it as a Windows service; other verbs are admin commands.
/// </summary>
internal static partial class MailHostServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--version" or "version"])
        {
            await Console.Out.WriteLineAsync("mailhost " + ServiceHosting.Version).ConfigureAwait(false);
            return 0;
        }

        if (WindowsServiceCommand.IsServiceCommand(args))
        {
            return await WindowsServiceCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
        }

        if (Administration.HealthCommand.IsHealthCommand(args))
        {
            return await Administration.HealthCommand.RunAsync(args, AdminConfiguration(args), Console.Out, Console.Error).ConfigureAwait(false);
        }

        if (AdminCli.IsAdminCommand(args) || args is ["help" or "--help" or "-h", ..])
        {
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            return await AdminCli.RunAsync(args, AdminConfiguration(args), Console.Out, Console.Error, Console.In, cancel.Token).ConfigureAwait(false);
        }

        var serveArgs = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
        WebApplication app;
        try
        {
            app = Build(serveArgs);
        }
        catch (MailHostConfigurationException ex)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + ex.Message).ConfigureAwait(false);
            return 3;
        }

        if (app.Services.GetRequiredService<MailListenerRegistry>().Listeners.Count == 0)
        {
            // Without a mail endpoint Kestrel would fall back to its default HTTP address, which is not ours to open.
            await Console.Error.WriteLineAsync("No mail endpoint is active: enable at least one under MailHost:Endpoints whose protocol this build serves (see the warnings above).").ConfigureAwait(false);
            return 5;
        }

        try
        {
            await app.Services.GetRequiredService<SqlAccountDirectory>().InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (MailHostConfigurationException ex)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + ex.Message).ConfigureAwait(false);
            return 3;
        }
        catch (NpgsqlException ex)
        {
            // Unreachable, wrong password, no such database: the operator fixes the connection string or the server.
            await Console.Error.WriteLineAsync($"Configuration error: {StoreSettings.ConnectionStringKey}: the PostgreSQL database cannot be used: {ex.Message}").ConfigureAwait(false);
            return 3;
        }
        catch (IOException ex)
        {
            // Kestrel reports a port in use as an IOException naming the address; the mail endpoints, the administration
            // endpoint and the onboarding endpoint all listen through it, so the hint names the three places.
            await Console.Error.WriteLineAsync($"Cannot listen: {ex.Message} Another program may use the port; change the Url of that endpoint under MailHost:Endpoints, or MailHost:Admin:Url (administration), or MailHost:Http:Url and HttpsUrl (onboarding).").ConfigureAwait(false);
            return 4;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MailHost.Server");
        foreach (var listener in app.Services.GetRequiredService<MailListenerRegistry>().Listeners)
        {
            LogListening(logger, listener.Options.Name, listener.Options.Protocol, listener.EndPoint?.ToString() ?? "?", listener.Options.Tls);
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Builds the host from standard ASP.NET Core configuration (appsettings, <c>MailHost__</c> variables, arguments).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        // Nothing in MailHost reacts to a configuration reload, and the reload watcher covers the content root with
        // its subdirectories, where the data directory usually lives: every database and spool write would wake it.
        // An operator's own --hostBuilder:reloadConfigOnChange=true comes later and wins.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            ContentRootPath = ServiceHosting.ContentRoot(),
        });
        ServiceHosting.AddDefaults(builder.Configuration);
        ServiceHosting.AddServiceIntegration(builder.Services);
        var dataDirectory = builder.Configuration[MailHostOptions.SectionName + ":" + nameof(MailHostOptions.DataDirectory)] ?? "data";

        // First of the hosted services: the data directory is owner-only before anything else starts in it.
        builder.Services.AddHostedService<DataDirectoryStartup>();
        builder.Services.AddMailHost(builder.Configuration);
        var store = StoreSettings.Read(builder.Configuration);
        AddStores(builder.Services, store, dataDirectory);
        builder.Services.AddMailHostPop3(builder.Configuration);
        builder.Services.AddMailHostSmtp(builder.Configuration);
        builder.Services.PostConfigure<SmtpOptions>(smtp =>
        {
            // Message content waits beside the mail it becomes, owner-only, not in the shared temp directory.
            if (string.IsNullOrEmpty(smtp.SpoolDirectory))
            {
                smtp.SpoolDirectory = Path.Combine(Path.GetFullPath(dataDirectory), DataDirectoryStartup.SpoolDirectoryName);
            }
        });
        builder.Services.AddMailHostImap(builder.Configuration);
        if (OutboundEnabled(builder.Configuration))
        {
            // Without these, submission refuses recipients outside the local domains (550 5.7.1); the MX endpoint
            // never relays either way.
            if (store.Provider == StoreProvider.Postgres)
            {
                builder.Services.AddPostgresOutboundQueue(store.ConnectionString!);
            }
            else
            {
                builder.Services.AddSqliteOutboundQueue(dataDirectory);
            }
            builder.Services.AddMailHostOutboundDelivery(builder.Configuration);
        }

        customize?.Invoke(builder);
        // Client onboarding over HTTP (MailHost:Http), off unless configured; its HTTPS uses the mail certificate.
        builder.Services.AddMailHostOnboarding(builder.Configuration);
        // The ACME client (MailHost:Certificates:Acme), off unless configured; it answers challenges on MailHost:Http.
        builder.Services.AddMailHostAcmeWhenConfigured(builder.Configuration);
        // The administration endpoint (MailHost:Admin:Url): console, API, metrics and health; off unless configured.
        builder.Services.AddMailHostAdmin(builder.Configuration);
        // OpenTelemetry metrics: the Prometheus scrape on the administration endpoint, OTLP when configured.
        builder.Services.AddMailHostTelemetry(builder.Configuration);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.ListenMailEndpoints(context.Configuration);
            kestrel.ListenOnboardingEndpoints(context.Configuration);
            kestrel.ListenAdminEndpoint(context.Configuration);
        });
        var app = builder.Build();
        Administration.AdminEndpoint.Map(app, admin =>
        {
            admin.MapMailHostMetrics();
            Administration.Console.ConsoleRoutes.Map(admin);
        });
        Onboarding.OnboardingRoutes.Map(app);
        Onboarding.AcmeChallengeRoutes.Map(app);
        return app;
    }

    /// <summary>
    /// The account directory and the mail store: SQLite files in the data directory, or the PostgreSQL database every
    /// host of a site shares (then only the SMTP spool and the certificate stay in the data directory).
    /// </summary>
    private static void AddStores(IServiceCollection services, StoreSettings store, string dataDirectory)
    {
        if (store.Provider == StoreProvider.Postgres)
        {
            // Rows kept for this host's open views carry its name; two hosts on one machine differ by data directory.
            var instance = store.InstanceId ?? $"{Environment.MachineName}:{Path.GetFullPath(dataDirectory)}";
            services.AddPostgresMailStore(store.ConnectionString!, options => options with { InstanceId = instance, SpoolDirectory = Path.Combine(Path.GetFullPath(dataDirectory), DataDirectoryStartup.SpoolDirectoryName) });
            services.AddPostgresAccountDirectory(store.ConnectionString!);
            return;
        }

        services.AddSqliteAccountDirectory(Path.Combine(dataDirectory, AdminCli.DirectoryFileName));
        services.AddSqliteMailStore(dataDirectory, options =>
        {
            if (store.BusyTimeout is { } busyTimeout)
            {
                options.BusyTimeout = busyTimeout;
            }
        });
    }

    /// <summary>Whether <c>MailHost:Outbound:Enabled</c> (default true) turns outbound delivery on.</summary>
    /// <exception cref="MailHostConfigurationException">The value is not true or false.</exception>
    internal static bool OutboundEnabled(IConfiguration configuration)
    {
        const string EnabledKey = OutboundDeliveryOptions.SectionName + ":Enabled";
        var text = configuration[EnabledKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        return bool.TryParse(text.Trim(), out var enabled)
            ? enabled
            : throw new MailHostConfigurationException($"{EnabledKey}: '{text}' is not true or false. Set false to deliver locally only (submission then refuses other domains with 550 5.7.1).") { Key = EnabledKey };
    }

    /// <summary>
    /// The configuration an admin command sees: the same files and environment variables as the server, plus the
    /// <c>--MailHost:Key=value</c> arguments (the other words are the command's own).
    /// </summary>
    internal static IConfiguration AdminConfiguration(string[] args)
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? "Production";
        var configuration = new ConfigurationBuilder().SetBasePath(Directory.GetCurrentDirectory());
        ServiceHosting.AddDefaults(configuration);
        return configuration
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a.StartsWith("--MailHost:", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray())
            .Build();
    }

    [LoggerMessage(1, LogLevel.Information, "Listening: {Endpoint} {Protocol} on {Address}, TLS {Tls}")]
    private static partial void LogListening(ILogger logger, string endpoint, MailProtocol protocol, string address, MailTlsMode tls);
}
