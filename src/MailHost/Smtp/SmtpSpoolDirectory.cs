namespace MailHost.Smtp;

/// <summary>Where SMTP content waits between DATA or BDAT and delivery once it passes the memory threshold.</summary>
internal static class SmtpSpoolDirectory
{
    /// <summary>
    /// The start of every spool file's name: the host's start-up removes <c>mailhost-smtp-*.tmp</c> left by a crash,
    /// and nothing else, from a directory an operator may share with other files.
    /// </summary>
    public const string FileNamePrefix = "mailhost-smtp-";

    private static readonly Lock DefaultDirectoryGate = new();
    private static string? _defaultDirectory;

    /// <summary>
    /// <paramref name="configured"/> (<see cref="SmtpOptions.SpoolDirectory"/>), or when it names no directory, one
    /// of this process's own under the system's temporary directory, created once with a unique name and mode 0700
    /// (<see cref="Directory.CreateTempSubdirectory"/>), so other local users can neither read the files nor place
    /// anything in their way. The host sets a directory under its data directory instead.
    /// </summary>
    public static string Resolve(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        lock (DefaultDirectoryGate)
        {
            if (_defaultDirectory is null || !Directory.Exists(_defaultDirectory))
            {
                _defaultDirectory = Directory.CreateTempSubdirectory(FileNamePrefix).FullName;
            }

            return _defaultDirectory;
        }
    }
}
