using System.Globalization;

namespace MailHost.LoadTest;

/// <summary>Reads a process's resident memory from /proc (Linux only; -1 elsewhere or when the process is gone).</summary>
internal static class ProcessMemory
{
    public static long ResidentKb(int? pid)
    {
        if (pid is not int id || !File.Exists($"/proc/{id}/status"))
        {
            return -1;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process ended while it was being read.
        }

        return -1;
    }
}
