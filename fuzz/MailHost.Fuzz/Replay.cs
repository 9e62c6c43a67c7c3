using System.Diagnostics;

namespace MailHost.Fuzz;

/// <summary>Runs saved inputs through a harness without afl-fuzz: for regressions and for reading a crash.</summary>
internal static class Replay
{
    public static int Run(FuzzTarget target, IEnumerable<string> paths)
    {
        var failures = 0;
        var count = 0;
        foreach (var file in paths.SelectMany(Files))
        {
            count++;
            var watch = Stopwatch.StartNew();
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file} ({watch.ElapsedMilliseconds} ms)");
            }
            catch (Exception ex)
            {
                failures++;
                Console.WriteLine($"FAIL  {file}");
                Console.WriteLine(ex.ToString());
            }
        }

        Console.WriteLine($"{target.Name}: {count} inputs, {failures} failed");
        return failures == 0 ? 0 : 1;
    }

    private static IEnumerable<string> Files(string path)
        => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
            : [path];
}
