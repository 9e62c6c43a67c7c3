using System.Diagnostics;

namespace MailHost.Server.Service;

/// <summary>
/// <c>mailhost service install|uninstall</c>: registers this program with the Windows service control manager
/// through <c>sc.exe</c> (run from an elevated prompt), so that it starts at boot, restarts after a crash and logs to
/// the Event Log. On other systems it says what to use instead (a systemd unit).
/// </summary>
internal static class WindowsServiceCommand
{
    private const string Usage = """
        Usage: mailhost service install [--name <service name>]    (Windows, elevated prompt)
               mailhost service uninstall [--name <service name>]
        The service runs "mailhost serve" as LocalSystem, starts at boot and is restarted 10 s after a crash. Its data
        directory is %ProgramData%\MailHost unless MailHost:DataDirectory is set (appsettings.json beside the program,
        or machine environment variables MailHost__*). Logs go to the Event Log (Application, source "mailhost").
        """;

    public static bool IsServiceCommand(string[] args) => args is ["service", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (verb, name) = args switch
        {
            ["service", var v] => (v, ServiceHosting.ServiceName),
            ["service", var v, "--name", var n] when n.Length > 0 => (v, n),
            _ => (null, ServiceHosting.ServiceName),
        };
        if (verb is not ("install" or "uninstall"))
        {
            await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
            return 1;
        }

        if (!OperatingSystem.IsWindows())
        {
            await stderr.WriteLineAsync("error: mailhost service is for Windows. On Linux run mailhost as a systemd unit: see \"Install as a service\" in the README (a sample unit file is in samples/systemd).").ConfigureAwait(false);
            return 1;
        }

        return verb == "install" ? await InstallAsync(name, stdout, stderr).ConfigureAwait(false) : await UninstallAsync(name, stdout, stderr).ConfigureAwait(false);
    }

    private static async Task<int> InstallAsync(string name, TextWriter stdout, TextWriter stderr)
    {
        // sc.exe wants "option= value" as two words; the binary path quotes the program (and dotnet's argument).
        var command = ProgramCommand() + " serve";
        string[][] steps =
        [
            ["create", name, "binPath=", command, "start=", "auto", "DisplayName=", "MailHost mail server"],
            ["description", name, "IMAP, POP3 and SMTP server (MailHost)."],
            ["failure", name, "reset=", "86400", "actions=", "restart/10000/restart/10000/restart/60000"],
        ];
        foreach (var step in steps)
        {
            if (await ScAsync(step, stderr).ConfigureAwait(false) != 0)
            {
                return 2;
            }
        }

        await stdout.WriteLineAsync($"Installed the service \"{name}\": {command}. Start it with: sc.exe start {name}").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> UninstallAsync(string name, TextWriter stdout, TextWriter stderr)
    {
        // A running service is stopped first (a failure here only means it was not running).
        await ScAsync(["stop", name], TextWriter.Null).ConfigureAwait(false);
        if (await ScAsync(["delete", name], stderr).ConfigureAwait(false) != 0)
        {
            return 2;
        }

        await stdout.WriteLineAsync($"Removed the service \"{name}\". Its data directory is left as it was.").ConfigureAwait(false);
        return 0;
    }

    /// <summary>How the service control manager starts this program: the apphost, or <c>dotnet mailhost.dll</c>.</summary>
    private static string ProgramCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("The program's path is unknown.");
        var isDotnet = string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnet
            ? $"\"{process}\" \"{Path.Combine(AppContext.BaseDirectory, "mailhost.dll")}\""
            : $"\"{process}\"";
    }

    private static async Task<int> ScAsync(string[] arguments, TextWriter stderr)
    {
        var start = new ProcessStartInfo("sc.exe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("sc.exe did not start.");
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            await stderr.WriteLineAsync($"error: sc.exe {arguments[0]} failed ({process.ExitCode}): {output.Trim()}").ConfigureAwait(false);
        }

        return process.ExitCode;
    }
}
