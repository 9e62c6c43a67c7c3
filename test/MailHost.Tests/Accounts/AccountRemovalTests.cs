using System.Net;
using System.Text;
using MailHost.Accounts;
using MailHost.Storage;
using MailHost.Storage.InMemory;
using MailHost.Storage.Sqlite.Mail;
using Microsoft.Extensions.Logging;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

/// <summary>
/// Removing an account removes its mail with it, across the two databases, whatever step a crash interrupts; and a
/// new account of a used name starts empty. A crash is stood in for by a mail store that fails at the chosen step:
/// every step is its own committed transaction, so what is on disk afterwards is what a crash there leaves.
/// </summary>
public abstract class AccountRemovalTests : DirectoryTestBase
{
    private static readonly byte[] OldMail = Encoding.ASCII.GetBytes("From: a@example.org\r\nTo: alice@example.com\r\nSubject: for the old alice\r\n\r\nPrivate.\r\n");

    [StoreFact]
    public async Task Removing_an_account_deletes_its_mail_and_login_history_and_the_name_starts_over_empty()
    {
        using var mail = new TempDirectory();
        await using var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = mail.FullPath }, null, null, Ct);
        var directory = await OpenWithAliceAsync(store);
        await DeliverOldMailAsync(store);
        await directory.RecordLoginAsync(new LoginRecord(Time.GetUtcNow(), "alice", "alice", "IMAP", "PLAIN", new IPEndPoint(IPAddress.Loopback, 1), true, null, LoginOutcome.Succeeded), Ct);

        var removed = await directory.RemoveAccountAsync("alice", Ct);

        removed.Should().Be(AccountAdministrationResult.Success("Account 'alice' removed with its mail, addresses, aliases and login history."));
        (await store.DeleteAccountAsync("alice", Ct)).Error!.Code.Should().Be(StoreErrorCode.NotFound, "the mail went with the account");
        (await directory.AddAccountAsync("alice", ["alice@example.com"], PasswordRecord.Create("new", Iterations), Ct)).Succeeded.Should().BeTrue();
        (await InboxCountAsync(store)).Should().Be(0);
        (await directory.GetRecentLoginsAsync("alice", 10, Ct)).Should().BeEmpty();
        Logger.Entries.Should().NotContain(e => e.EventId.Id == 3113, "nothing was left behind to clear");
    }

    [StoreFact]
    public async Task A_removal_interrupted_before_the_mail_went_leaves_the_account_gone_and_its_name_blocked_until_it_is_finished()
    {
        var store = new FailingMailStore();
        var directory = await OpenWithAliceAsync(store);
        await DeliverOldMailAsync(store);
        store.FailDeletes = true;

        var removed = await directory.RemoveAccountAsync("alice", Ct);

        removed.Error.Should().Be(AccountAdministrationError.MailRemovalPending);
        removed.Message.Should().Contain("removed with its addresses, aliases and login history, but its mail could not be deleted yet");
        (await directory.FindByNameAsync("alice", Ct)).Should().BeNull("the account is gone: nobody logs in as it");
        (await directory.FindByAddressAsync("alice@example.com", Ct)).Should().BeNull("and no mail is accepted for it");
        (await directory.GetPasswordRecordAsync("alice", Ct)).Should().BeNull();
        (await InboxCountAsync(store)).Should().Be(1, "the mail is still there, unreachable");

        var readded = await directory.AddAccountAsync("alice", ["alice@example.com"], PasswordRecord.Create("new", Iterations), Ct);
        readded.Error.Should().Be(AccountAdministrationError.MailRemovalPending, "the new owner of the name would get the old mail");
        var withoutStore = await OpenAsync();
        (await withoutStore.AddAccountAsync("alice", ["alice@example.com"], null, Ct)).Error.Should().Be(AccountAdministrationError.MailRemovalPending);
        (await withoutStore.CompletePendingRemovalsAsync(Ct)).Should().Be(0, "a directory without the mail store cannot finish it");

        // The next start (the host finishes pending removals) with the store working again.
        store.FailDeletes = false;
        var restarted = await OpenAsync(store);
        (await restarted.CompletePendingRemovalsAsync(Ct)).Should().Be(1);
        (await restarted.CompletePendingRemovalsAsync(Ct)).Should().Be(0);
        Logger.Entries.Should().Contain(e => e.EventId.Id == 3111 && e.Level == LogLevel.Warning && e.Message.Contains("alice", StringComparison.Ordinal));
        (await store.DeleteAccountAsync("alice", Ct)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await restarted.AddAccountAsync("alice", ["alice@example.com"], PasswordRecord.Create("new", Iterations), Ct)).Succeeded.Should().BeTrue();
        (await InboxCountAsync(store)).Should().Be(0);
    }

    [StoreFact]
    public async Task Running_an_interrupted_removal_again_finishes_it()
    {
        var store = new FailingMailStore();
        var directory = await OpenWithAliceAsync(store);
        await DeliverOldMailAsync(store);
        store.FailDeletes = true;
        (await directory.RemoveAccountAsync("alice", Ct)).Error.Should().Be(AccountAdministrationError.MailRemovalPending);
        store.FailDeletes = false;

        var again = await directory.RemoveAccountAsync("alice", Ct);

        again.Succeeded.Should().BeTrue(again.Message);
        (await directory.RemoveAccountAsync("alice", Ct)).Error.Should().Be(AccountAdministrationError.UnknownAccount);
        (await store.DeleteAccountAsync("alice", Ct)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
    }

    [StoreFact]
    public async Task A_crash_after_the_mail_went_but_before_the_mark_was_cleared_is_finished_without_harm()
    {
        var store = new FailingMailStore();
        var directory = await OpenWithAliceAsync(store);
        await DeliverOldMailAsync(store);
        store.CrashAfterDelete = true;

        var crashed = () => directory.RemoveAccountAsync("alice", Ct).AsTask();

        await crashed.Should().ThrowAsync<IOException>();
        store.CrashAfterDelete = false;
        (await directory.FindByNameAsync("alice", Ct)).Should().BeNull();
        (await directory.CompletePendingRemovalsAsync(Ct)).Should().Be(1, "the store has nothing left to delete, and the mark goes");
        (await directory.AddAccountAsync("alice", ["alice@example.com"], null, Ct)).Succeeded.Should().BeTrue();
        (await InboxCountAsync(store)).Should().Be(0);
    }

    [StoreFact]
    public async Task Adding_an_account_clears_mail_that_arrived_under_its_name_while_it_did_not_exist()
    {
        var store = new FailingMailStore();
        var directory = await OpenWithAliceAsync(store);
        (await directory.RemoveAccountAsync("alice", Ct)).Succeeded.Should().BeTrue();

        // A message accepted for alice before the removal, stored after it.
        await DeliverOldMailAsync(store);
        (await directory.AddAccountAsync("alice", ["alice@example.com"], PasswordRecord.Create("new", Iterations), Ct)).Succeeded.Should().BeTrue();

        (await InboxCountAsync(store)).Should().Be(0);
        Logger.Entries.Should().ContainSingle(e => e.EventId.Id == 3113).Which.Message.Should().Contain("alice");
    }

    [StoreFact]
    public async Task An_account_is_not_added_while_mail_under_its_name_cannot_be_deleted()
    {
        var store = new FailingMailStore();
        var directory = await OpenAsync(store);
        (await directory.AddDomainAsync("example.com", Ct)).Succeeded.Should().BeTrue();
        await DeliverOldMailAsync(store);
        store.FailDeletes = true;

        var added = await directory.AddAccountAsync("alice", ["alice@example.com"], null, Ct);

        added.Error.Should().Be(AccountAdministrationError.MailRemovalPending);
        added.Message.Should().Contain("was not added");
        (await directory.FindByNameAsync("alice", Ct)).Should().BeNull();
    }

    [StoreFact]
    public async Task A_directory_without_the_mail_store_leaves_the_mail_marked_for_the_host_to_delete()
    {
        var store = new FailingMailStore();
        await OpenWithAliceAsync(store);
        await DeliverOldMailAsync(store);
        var withoutStore = await OpenAsync();

        var removed = await withoutStore.RemoveAccountAsync("alice", Ct);

        removed.Should().Be(AccountAdministrationResult.Success("Account 'alice' removed with its addresses, aliases and login history; its mail is deleted when the server next starts."));
        (await withoutStore.AddAccountAsync("alice", [], null, Ct)).Error.Should().Be(AccountAdministrationError.MailRemovalPending);
        (await (await OpenAsync(store)).CompletePendingRemovalsAsync(Ct)).Should().Be(1);
        (await InboxCountAsync(store)).Should().Be(0);
    }

    private async Task DeliverOldMailAsync(IMailStore store)
    {
        var delivered = await store.DeliverAsync(new MemoryStream(OldMail), [new DeliveryTarget("alice")], Ct);
        delivered.Value.Targets.Should().ContainSingle().Which.Error.Should().BeNull();
    }

    private async Task<int> InboxCountAsync(IMailStore store)
    {
        await using var account = (await store.OpenAccountAsync("alice", Ct)).Value;
        return (await account.GetStatusAsync("INBOX", Ct)).Value.Messages;
    }

    /// <summary>An in-memory store whose account deletion fails on demand: refused (I/O), or after the deletion committed.</summary>
    private sealed class FailingMailStore : IMailStore
    {
        private readonly InMemoryMailStore _inner = new();

        public bool FailDeletes { get; set; }

        public bool CrashAfterDelete { get; set; }

        public MailStoreLimits Limits => _inner.Limits;

        public async ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken)
        {
            if (FailDeletes)
            {
                return StoreResult.Fail(StoreErrorCode.Unavailable, "The store could not commit the change.");
            }

            var result = await _inner.DeleteAccountAsync(accountName, cancellationToken);
            return CrashAfterDelete ? throw new IOException("The process died here.") : result;
        }

        public ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken) => _inner.OpenAccountAsync(accountName, cancellationToken);

        public ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken) => _inner.SetQuotaLimitsAsync(accountName, limits, cancellationToken);

        public ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken) => _inner.DeliverAsync(content, targets, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
