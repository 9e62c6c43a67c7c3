namespace MailHost.Filtering;

/// <summary>The envelope of one mail transaction (RFC 5321 §3.3) as filters see it.</summary>
public sealed class InboundFilterEnvelope
{
    private readonly List<string> _recipients = [];

    /// <summary>The transaction's id, as in the log, the Received field and the <c>250</c> reply.</summary>
    public required string TransactionId { get; init; }

    /// <summary>The reverse path's address; empty for the null reverse path <c>&lt;&gt;</c> (bounces).</summary>
    public required string Sender { get; init; }

    /// <summary>The recipients accepted so far (all of them at the message stage).</summary>
    public IReadOnlyList<string> Recipients => _recipients;

    /// <summary>
    /// The value of the Authentication-Results field this server adds (SPF, DKIM, DMARC, RFC 8601), at the message
    /// stage on the MX endpoint with mail authentication on; null otherwise.
    /// </summary>
    public string? AuthenticationResults { get; internal set; }

    internal void AddRecipient(string recipient) => _recipients.Add(recipient);
}
