using MailHost.Fuzz;
using SharpFuzz;

// Usage: MailHost.Fuzz list
//        MailHost.Fuzz TARGET              (under afl-fuzz: the fork-server loop; otherwise one input from stdin)
//        MailHost.Fuzz TARGET PATH...      (replays files, or every file of a directory, without afl-fuzz)
if (args.Length == 0 || args[0] is "list" or "-h" or "--help")
{
    foreach (var target in FuzzTargets.All)
    {
        Console.WriteLine($"{target.Name,-20} {target.Description}");
    }

    return args.Length == 0 ? 2 : 0;
}

if (FuzzTargets.Find(args[0]) is not { } selected)
{
    await Console.Error.WriteLineAsync($"Unknown target '{args[0]}'; 'list' shows the targets.");
    return 2;
}

if (args.Length > 1)
{
    return Replay.Run(selected, args[1..]);
}

// In-process persistent mode: one .NET process runs many inputs, so a harness keeps no state between inputs
// (every session gets a fresh store). An exception that escapes is reported to afl-fuzz as a crash.
Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    selected.Run(buffer.ToArray());
});
return 0;
