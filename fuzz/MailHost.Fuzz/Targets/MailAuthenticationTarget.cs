using System.Net;
using System.Text;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// The mail-authentication record and header parsers, each given the whole input: SPF records and macro strings
/// (RFC 7208), DKIM key records and DKIM-Signature values (RFC 6376), DMARC records (RFC 7489), and the authserv-id of
/// an Authentication-Results field (RFC 8601).
/// </summary>
/// <remarks>
/// Invariants: each parser returns a value or an error, never both or neither; a parsed value is usable (DKIM's
/// algorithm has its key type and hash, DMARC's pct is 0-100, an SPF macro expands); an authserv-id is non-empty and holds no line break; a
/// value formatted for an Authentication-Results field holds no control character (no header injection).
/// </remarks>
internal static class MailAuthenticationTarget
{
    private static readonly SpfMacroContext Context = new("strong-bad@email.example.com", "strong-bad", "email.example.com", "email.example.com", IPAddress.Parse("192.0.2.3"), "mx.example.org");

    public static void Run(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);

        Check(SpfRecord.TryParse(text, out var spf, out var spfError), spf, spfError, "SPF");
        if (spf is not null)
        {
            foreach (var mechanism in spf.Mechanisms)
            {
                _ = mechanism.ToString();
            }

            Expand(spf.Redirect);
            Expand(spf.Explanation);
        }

        foreach (var explanation in (bool[])[false, true])
        {
            Check(SpfMacroString.TryParse(text, explanation, out var macro, out var macroError), macro, macroError, "SPF macro");
            Expand(macro);
        }

        Check(SpfMacroString.TryParseDomainSpec(text, out var domainSpec, out var domainSpecError), domainSpec, domainSpecError, "SPF domain-spec");
        Expand(domainSpec);

        Check(DkimKeyRecord.TryParse(text, out var key, out var keyError), key, keyError, "DKIM key");
        if (key is not null)
        {
            _ = key.AllowsEmail;
            _ = key.AcceptsHash("sha256");
        }

        Check(DkimSignatureHeader.TryParse(text, out var signature, out var signatureError), signature, signatureError, "DKIM-Signature");
        if (signature is not null)
        {
            FuzzInvariantException.Check(signature.Algorithm.Contains('-', StringComparison.Ordinal), $"DKIM a= without a key type and hash: {signature.Algorithm}");
            FuzzInvariantException.Check(signature.KeyType.Length > 0 && signature.HashAlgorithm.Length > 0, "DKIM key type or hash empty");
            FuzzInvariantException.Check(signature.Domain.Length > 0 && signature.Selector.Length > 0 && signature.SignedHeaders.Count > 0, "DKIM d=, s= or h= empty");
            FuzzInvariantException.Check(signature.BodyLength is null or >= 0, "DKIM l= negative");
        }

        Check(DmarcRecord.TryParse(text, out var dmarc, out var dmarcError), dmarc, dmarcError, "DMARC");
        if (dmarc is not null)
        {
            FuzzInvariantException.Check(dmarc.Percent is >= 0 and <= 100, $"DMARC pct={dmarc.Percent}");
            FuzzInvariantException.Check(dmarc.ReportInterval >= 0, $"DMARC ri={dmarc.ReportInterval}");
        }

        if (AuthenticationResultsField.TryReadAuthServId(data, out var authServId))
        {
            // A token has no space or tspecial; a quoted-string keeps what it holds but a line break (RFC 2045 §5.1), and
            // is only ever compared with this host's own id.
            FuzzInvariantException.Check(!string.IsNullOrEmpty(authServId) && !authServId.Any(c => c is '\r' or '\n'), $"authserv-id '{authServId}'");
        }

        foreach (var allowAddress in (bool[])[false, true])
        {
            var formatted = AuthenticationResultsField.FormatValue(text, allowAddress);
            FuzzInvariantException.Check(formatted is null || !formatted.Any(char.IsControl), $"A formatted value holds a control character: {formatted}");
        }
    }

    private static void Check(bool parsed, object? value, string? error, string what)
        => FuzzInvariantException.Check(parsed ? value is not null && error is null : value is null && !string.IsNullOrEmpty(error), $"{what}: returned {parsed} with value {value} and error '{error}'");

    /// <summary>Expands with a fixed context (RFC 7208 §7.2's example); the evaluator truncates domain names afterwards.</summary>
    private static void Expand(SpfMacroString? macro) => _ = macro?.Expand(Context);
}
