namespace MailHost.Protocols.Text;

/// <summary>The outcome of <see cref="LineCommandSyntax.TryParseAuthArguments"/>.</summary>
internal enum AuthArgumentsStatus
{
    /// <summary>A mechanism name and, if given, an initial response.</summary>
    Valid,

    /// <summary>No valid mechanism name, or a malformed initial response.</summary>
    Syntax,

    /// <summary>The initial response is over the SASL limit.</summary>
    TooLong,
}
