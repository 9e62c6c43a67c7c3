namespace MailHost.Filtering.ClamAv;

/// <summary>clamd's answer to one <c>INSTREAM</c>, parsed.</summary>
/// <param name="Status">What the reply means.</param>
/// <param name="Detail">
/// The signature name for <see cref="ClamdScanStatus.Infected"/>, clamd's error text for
/// <see cref="ClamdScanStatus.Error"/>, the whole reply for <see cref="ClamdScanStatus.Malformed"/>; null otherwise.
/// Printable ASCII only, at most <see cref="ClamdReply.MaxDetailLength"/> characters: it goes into logs and SMTP replies.
/// </param>
internal readonly record struct ClamdScanResult(ClamdScanStatus Status, string? Detail = null);
