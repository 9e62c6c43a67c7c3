using MailHost.Storage;

namespace MailHost.MailAuthentication;

/// <summary>Quarantine (DMARC <c>p=quarantine</c>): each recipient's Junk mailbox, found by its special-use attribute (RFC 6154).</summary>
internal static class JunkMailbox
{
    /// <summary>The IMAP keyword for junk (IANA IMAP keyword registry, RFC 5788), set on quarantined copies.</summary>
    public const string Keyword = "$Junk";

    /// <summary>
    /// The targets moved to their account's <c>\Junk</c> mailbox with the <c>$Junk</c> keyword; a target whose account
    /// has no such mailbox stays where it was (INBOX), still marked.
    /// </summary>
    public static async ValueTask<IReadOnlyList<DeliveryTarget>> RedirectAsync(IMailStore store, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
    {
        var redirected = new List<DeliveryTarget>(targets.Count);
        foreach (var target in targets)
        {
            var junk = await FindAsync(store, target.AccountName, cancellationToken).ConfigureAwait(false);
            var options = target.Options ?? AppendOptions.Default;
            var keywords = options.Keywords ?? [];
            if (!keywords.Contains(Keyword, StringComparer.OrdinalIgnoreCase))
            {
                options = options with { Keywords = [.. keywords, Keyword] };
            }

            redirected.Add(target with { Mailbox = junk ?? target.Mailbox, Options = options });
        }

        return redirected;
    }

    private static async ValueTask<string?> FindAsync(IMailStore store, string accountName, CancellationToken cancellationToken)
    {
        var opened = await store.OpenAccountAsync(accountName, cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return null;
        }

        await using var account = opened.Value;
        var mailboxes = await account.ListMailboxesAsync(cancellationToken).ConfigureAwait(false);
        return mailboxes.FirstOrDefault(m => (m.Attributes & MailboxAttributes.Junk) != 0)?.Name;
    }
}
