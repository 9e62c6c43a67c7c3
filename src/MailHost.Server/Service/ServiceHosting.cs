using System.Reflection;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting.WindowsServices;

namespace MailHost.Server.Service;

/// <summary>
/// What changes when <c>mailhost</c> runs as an installed program rather than from a terminal in its own folder:
/// as a systemd unit, as a Windows service, or as a .NET tool started from any directory.
/// </summary>
internal static class ServiceHosting
{
    /// <summary>The Windows service name (the Event Log source is the application's name, <c>mailhost</c>).</summary>
    public const string ServiceName = "MailHost";

    private const string EndpointsKey = MailHost.Hosting.MailHostOptions.SectionName + ":Endpoints";

    private const string DataDirectoryKey = MailHost.Hosting.MailHostOptions.SectionName + ":" + nameof(MailHost.Hosting.MailHostOptions.DataDirectory);

    /// <summary>The version the program reports: the informational version (with the source commit when built from git).</summary>
    public static string Version =>
        typeof(ServiceHosting).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ServiceHosting).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>
    /// The data directory when configuration names none: <c>%ProgramData%\MailHost</c> for a Windows service (its
    /// working directory is System32), systemd's <c>StateDirectory=</c> (<c>$STATE_DIRECTORY</c>) for a unit that has
    /// one, and <c>data</c> under the working directory otherwise.
    /// </summary>
    public static string DefaultDataDirectory()
    {
        if (WindowsServiceHelpers.IsWindowsService())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), ServiceName);
        }

        // systemd lists one path per StateDirectory= entry, separated by colons; the first is ours.
        var state = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        return string.IsNullOrEmpty(state) ? "data" : state.Split(':')[0];
    }

    /// <summary>The content root: the program's own folder for a Windows service (started in System32), else the host's default.</summary>
    public static string? ContentRoot() => WindowsServiceHelpers.IsWindowsService() ? AppContext.BaseDirectory : null;

    /// <summary>
    /// Puts the defaults below every other configuration source: the data directory of
    /// <see cref="DefaultDataDirectory"/> and, when no source names a mail endpoint (a .NET tool or a service started
    /// from a directory without settings), the <c>appsettings.json</c> shipped beside the program with the standard
    /// endpoints. Settings in the content root, environment variables and arguments come after and win.
    /// </summary>
    public static void AddDefaults(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new(DataDirectoryKey, DefaultDataDirectory())] });
        if (!configuration.Build().GetSection(EndpointsKey).GetChildren().Any())
        {
            configuration.Sources.Insert(1, new JsonConfigurationSource
            {
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
                Path = "appsettings.json",
                Optional = true,
                ReloadOnChange = false,
            });
        }
    }

    /// <summary>Registers systemd and Windows service integration; each does nothing unless the program runs under it.</summary>
    public static void AddServiceIntegration(IServiceCollection services)
    {
        // Type=notify readiness and stop, and log lines with syslog priority prefixes that journald reads.
        services.AddSystemd();

        // Start and stop from the service control manager, and logs in the Event Log (Application, source "mailhost").
        services.AddWindowsService(options => options.ServiceName = ServiceName);
    }
}
