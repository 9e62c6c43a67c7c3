namespace MailHost.Delivery;

/// <summary>A relay that takes all outbound mail (configuration <c>MailHost:Outbound:SmartHost</c>).</summary>
public sealed class OutboundSmartHostOptions
{
    /// <summary>The relay's host name or address.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The relay's port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary>How TLS is used. Default <see cref="OutboundTlsMode.StartTls"/> (required, not opportunistic).</summary>
    public OutboundTlsMode Tls { get; set; } = OutboundTlsMode.StartTls;

    /// <summary>The AUTH user name, or <see langword="null"/> for no authentication.</summary>
    public string? Username { get; set; }

    /// <summary>The AUTH password.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The SHA-256 fingerprint (hex) of a relay certificate accepted even though it does not chain to a trusted
    /// root (a private relay); <see langword="null"/> requires normal validation.
    /// </summary>
    public string? CertificateFingerprint { get; set; }
}
