namespace MailHost.Server.Administration.Console;

/// <summary>
/// The fields of the console's form that makes an app password, turned into the input the command line and the API
/// give <see cref="Operations.AppPasswordOperations.CreateAsync"/>, which reads and checks it for all three.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "Razor binds form fields to public types of public components.")]
public sealed class AppPasswordForm
{
    private static readonly char[] NetworkSeparators = [',', '\n', '\r'];

    /// <summary>The device or program it is for.</summary>
    public string? Name { get; set; }

    /// <summary>Whether the IMAP box was ticked.</summary>
    public bool Imap { get; set; }

    /// <summary>Whether the POP3 box was ticked.</summary>
    public bool Pop3 { get; set; }

    /// <summary>Whether the SMTP box was ticked.</summary>
    public bool Smtp { get; set; }

    /// <summary>Networks, one per line or separated by commas; empty for any.</summary>
    public string? Networks { get; set; }

    /// <summary>A duration (<c>90d</c>) or a date; empty for never.</summary>
    public string? Expires { get; set; }

    /// <summary>The ticked protocols as the operations read them (<c>imap,smtp</c>); null when none is ticked.</summary>
    public string? ProtocolList()
    {
        var names = new List<string>(3);
        if (Imap)
        {
            names.Add("imap");
        }

        if (Pop3)
        {
            names.Add("pop3");
        }

        if (Smtp)
        {
            names.Add("smtp");
        }

        return names.Count == 0 ? null : string.Join(',', names);
    }

    /// <summary>The networks, one entry each, blank entries (a trailing comma, an empty line) left out.</summary>
    public IReadOnlyList<string> NetworkList() =>
        (Networks ?? string.Empty).Split(NetworkSeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The expiry as typed, or null when the field was left empty.</summary>
    public string? ExpiryOrNull() => string.IsNullOrWhiteSpace(Expires) ? null : Expires.Trim();
}
