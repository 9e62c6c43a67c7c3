using System.Text;
using MailHost.Storage;
using MailHost.Storage.Search;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Mail;

namespace MailHost.Tests.Storage;

/// <summary>The parsed addresses the SQLite store keeps for FROM, TO, CC and BCC (schema version 6).</summary>
[Collection(StoreCollection.Name)]
public sealed class SqliteAddressSearchTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-addresses-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Mail_stored_before_version_6_gets_the_same_address_lines_and_is_found_by_them()
    {
        var options = new SqliteMailStoreOptions { DataDirectory = _directory };
        string[] messages =
        [
            "From: <ann (at work)@ (mail) example.org>\r\nTo: Ben Baker <ben@example.org>, nobody\r\nCc: crew: cat@example.org, dan@example.org;, quiet:;\r\n",
            "From: ann@example.org (Ann Archer)\r\nBcc: <dan@\r\n example.org>\r\n",
            "From: =?utf-8?q?J=C3=B6rg?= <jm@example.org>\r\n",
            "Subject: no addresses\r\n",
        ];
        Dictionary<long, string> delivered;
        string databasePath;
        await using (var store = await SqliteMailStore.OpenAsync(options, null, null, default).WaitAsync(Timeout))
        {
            databasePath = store.DatabasePath;
            var account = (await store.OpenAccountAsync("alice", default)).Value;
            foreach (var message in messages)
            {
                (await account.AppendAsync("INBOX", new MemoryStream(Encoding.UTF8.GetBytes(message + "\r\nbody\r\n")), AppendOptions.Default, default)).IsSuccess.Should().BeTrue();
            }

            delivered = await AddressRowsAsync(store);
        }

        delivered.Should().HaveCount(3, "a message without addresses needs no row");
        delivered.Values.Should().Contain(
            "From: ann@example.org\nTo: Ben Baker <ben@example.org>\nTo: nobody\nCc: crew:\nCc: cat@example.org\nCc: dan@example.org\nCc: quiet:\n");
        delivered.Values.Should().Contain("From: Ann Archer <ann@example.org>\nBcc: dan@example.org\n");
        delivered.Values.Should().Contain("From: Jörg <jm@example.org>\n");

        // What version 4 wrote: no content_addresses table.
        await using (var connection = await SqliteDatabase.OpenAsync(databasePath, default))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE content_addresses; DROP TABLE retained; PRAGMA user_version = 5;";
            await command.ExecuteNonQueryAsync();
        }

        await using (var store = await SqliteMailStore.OpenAsync(options, null, null, default).WaitAsync(Timeout))
        {
            store.LastCheck!.SchemaVersion.Should().Be(SqliteMailSchema.Migrations.Count);
            var migrated = await AddressRowsAsync(store);
            migrated.Keys.Should().BeEquivalentTo(delivered.Keys);
            foreach (var (id, text) in delivered)
            {
                if (text.Contains('ö', StringComparison.Ordinal))
                {
                    // The envelope keeps a non-ASCII name RFC 2047-encoded; the migration copies it as it is.
                    migrated[id].Should().StartWith("From: =?").And.EndWith("?= <jm@example.org>\n");
                }
                else
                {
                    migrated[id].Split('\n').Should().BeEquivalentTo(text.Split('\n'));
                }
            }

            var account = (await store.OpenAccountAsync("alice", default)).Value;
            var view = (await account.OpenMailboxAsync("INBOX", false, default)).Value;
            async Task<IReadOnlyList<uint>> SearchUidsAsync(SearchCriteria criteria) => (await view.SearchAsync(criteria, default)).Value.Uids;
            (await SearchUidsAsync(new AddressCriterion("From", "ann@example.org"))).Should().Equal(1u, 2u);
            (await SearchUidsAsync(new AddressCriterion("Bcc", "dan@example.org"))).Should().Equal(2u);
            (await SearchUidsAsync(new AddressCriterion("From", "Jörg"))).Should().Equal([3u], "the decoded header text still has the name");

            // Expunged content takes its address lines with it.
            await view.StoreFlagsAsync(UidSet.Of(1), FlagOperation.Add, MessageFlags.Deleted, [], null, default);
            await view.ExpungeAsync(null, default);
            (await AddressRowsAsync(store)).Should().HaveCount(2);
            (await SearchUidsAsync(new AddressCriterion("Cc", "crew"))).Should().BeEmpty();
        }
    }

    private static async Task<Dictionary<long, string>> AddressRowsAsync(SqliteMailStore store)
    {
        var rows = await store.ReadAsync(db => db.List("SELECT content_id, addresses FROM content_addresses", r => (Id: r.GetInt64(0), Text: r.GetString(1))), default).WaitAsync(Timeout);
        return rows.ToDictionary(r => r.Id, r => r.Text);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
