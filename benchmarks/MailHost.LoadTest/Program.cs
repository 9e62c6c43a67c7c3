using MailHost.LoadTest;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("error: " + ex.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

LoadRun run = options.Mode switch
{
    "pop3" => new Pop3Load(options),
    "smtp" => new SmtpLoad(options),
    "imap" => new ImapLoad(options),
    "imap-write" => new ImapWriteLoad(options),
    "search" => new SearchLoad(options),
    "idle" => new IdleLoad(options),
    "big" => new BigMessageLoad(options),
    _ => null!,
};
if (run is null)
{
    Console.Error.WriteLine("error: unknown mode " + options.Mode);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

return await run.RunAsync();
