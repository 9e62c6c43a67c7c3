using System.Globalization;
using MailHost.Server.StoreCopy;
using MailHost.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailHost.Server.Admin;

/// <content>
/// The <c>store</c> commands: <c>store migrate</c> brings the PostgreSQL database of a site up to date, and
/// <c>store copy --to postgres</c> moves a SQLite site (the data directory) into it. Both are for a stopped site.
/// </content>
public static partial class AdminCli
{
    private static async Task<int> RunStoreAsync(List<string> words, Context context)
    {
        switch (words)
        {
            case []:
                return await context.UsageAsync("missing store command (migrate, copy)", Usage).ConfigureAwait(false);
            case [var verb, ..] when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);
            case ["migrate", .. var rest]:
                var (migrate, exit) = await ParseAsync(context, rest, 0, [], []).ConfigureAwait(false);
                return migrate is null ? exit : await StoreMigrateAsync(context).ConfigureAwait(false);
            case ["copy", .. var rest]:
                var (copy, copyExit) = await ParseAsync(context, rest, 0, ["to"], []).ConfigureAwait(false);
                if (copy is null)
                {
                    return copyExit;
                }

                return copy.Values("to") is [var to] && string.Equals(to, "postgres", StringComparison.OrdinalIgnoreCase)
                    ? await StoreCopyAsync(context).ConfigureAwait(false)
                    : await context.UsageAsync("store copy needs --to postgres", Usage).ConfigureAwait(false);
            default:
                return await context.UsageAsync($"unknown store command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }
    }

    private static async Task<int> StoreMigrateAsync(Context context)
    {
        if (context.Settings.Provider != StoreProvider.Postgres)
        {
            // The SQLite files migrate when a store opens them (server start or any admin command): nothing to do by hand.
            await context.Out.WriteLineAsync($"{StoreSettings.ProviderKey} is Sqlite: the SQLite files in {context.DataDirectory} migrate when the server or an admin command opens them; nothing to migrate by hand.").ConfigureAwait(false);
            return ExitSuccess;
        }

        try
        {
            var versions = await PostgresSiteSchema.MigrateAllAsync(context.Settings.ConnectionString!, context.CancellationToken).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"Migrated the PostgreSQL database '{DatabaseName(context.Settings.ConnectionString!)}':").ConfigureAwait(false);
            foreach (var version in versions)
            {
                await context.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {version.Name,-10} version {version.Before} -> {version.After}{(version.Before == version.After ? " (up to date)" : string.Empty)}")).ConfigureAwait(false);
            }

            return ExitSuccess;
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            return await context.FailAsync($"the PostgreSQL database of {StoreSettings.ConnectionStringKey} could not be migrated: {exception.Message}").ConfigureAwait(false);
        }
    }

    private static async Task<int> StoreCopyAsync(Context context)
    {
        var connectionString = context.TargetConnectionString();
        SiteCopyResult result;
        try
        {
            result = await SiteCopy.RunAsync(context.DataDirectory, connectionString, context.CancellationToken).ConfigureAwait(false);
        }
        catch (StoreCopyException exception)
        {
            return await context.FailAsync("store copy refused, nothing was written: " + exception.Message).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return await context.FailAsync("store copy failed, nothing was written: " + exception.Message).ConfigureAwait(false);
        }

        var output = context.Out;
        await output.WriteLineAsync($"{(result.Refreshed ? "Copied again" : "Copied")} {context.DataDirectory} into the PostgreSQL database '{DatabaseName(connectionString)}':").ConfigureAwait(false);
        foreach (var (table, rows) in result.Tables)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {table,-36} {rows} rows")).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {"contents",-36} {result.ContentsWritten} written, {result.ContentsKept} already there")).ConfigureAwait(false);
        await output.WriteLineAsync("Verification (SQLite = PostgreSQL):").ConfigureAwait(false);
        foreach (var check in result.Checks)
        {
            await output.WriteLineAsync($"  {(check.Matches ? "ok      " : "MISMATCH")} {check.Kind,-36} {check.Sqlite} = {check.Postgres}").ConfigureAwait(false);
        }

        if (!result.Verified)
        {
            return await context.FailAsync("the copy does not match its source; nothing was committed.").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"Verified and committed. Set {StoreSettings.ProviderKey}=Postgres and start the hosts.").ConfigureAwait(false);
        return ExitSuccess;
    }

    private static string DatabaseName(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database ?? "-";
}
