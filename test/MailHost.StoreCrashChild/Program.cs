using System.Globalization;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;
using MailHost.StoreCrashChild;

// Appends to INBOX from several writers until killed, printing "ACK <sequence> <uid> <uidvalidity>" after each
// durable append. Usage: <data directory> <first sequence number>
var directory = args[0];
var first = long.Parse(args[1], CultureInfo.InvariantCulture);
await using var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = directory }, null, null, default);
var account = (await store.OpenAccountAsync("victim", default)).Value;
var output = Console.Out;
var gate = new object();
lock (gate)
{
    output.WriteLine("READY");
    output.Flush();
}

const int Writers = 4;
var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
{
    for (long i = 0; ; i++)
    {
        var sequence = first + (i * Writers) + w;
        using var content = new MemoryStream(CrashMessages.Create(sequence), writable: false);
        var result = await account.AppendAsync("INBOX", content, AppendOptions.Default, default);
        lock (gate)
        {
            output.WriteLine(result.IsSuccess
                ? string.Create(CultureInfo.InvariantCulture, $"ACK {sequence} {result.Value.Uid} {result.Value.UidValidity}")
                : "ERR " + result.Error.Message);
            output.Flush();
        }
    }
}));
await Task.WhenAll(writers);
