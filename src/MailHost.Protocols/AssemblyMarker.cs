namespace MailHost.Protocols;

/// <summary>Marker for the assembly of pure protocol code.</summary>
internal static class AssemblyMarker;
