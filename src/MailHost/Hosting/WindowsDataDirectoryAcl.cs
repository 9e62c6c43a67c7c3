using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace MailHost.Hosting;

/// <summary>
/// The Windows side of <see cref="DataDirectoryProtection"/>: an access list that is not inherited from the parent
/// and grants full control to the current account, SYSTEM and Administrators, inherited by everything inside.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsDataDirectoryAcl
{
    /// <summary>Creates <paramref name="path"/> (and missing parents) with the restricted access list; an existing directory is left alone.</summary>
    public static void Create(string path)
    {
        var directory = new DirectoryInfo(path);
        if (!directory.Exists)
        {
            directory.Create(Restricted());
        }
    }

    /// <summary>Replaces the access list of <paramref name="path"/> when it allows anyone else; true when it did.</summary>
    public static bool Restrict(string path)
    {
        var directory = new DirectoryInfo(path);
        var current = directory.GetAccessControl(AccessControlSections.Access);
        var allowed = Principals();
        var rules = current.GetAccessRules(includeExplicit: true, includeInherited: true, typeof(SecurityIdentifier));
        var onlyAllowed = current.AreAccessRulesProtected
            && rules.OfType<FileSystemAccessRule>().All(rule => rule.AccessControlType == AccessControlType.Deny || allowed.Contains(rule.IdentityReference));
        if (onlyAllowed)
        {
            return false;
        }

        directory.SetAccessControl(Restricted());
        return true;
    }

    private static DirectorySecurity Restricted()
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        foreach (var principal in Principals())
        {
            security.AddAccessRule(new FileSystemAccessRule(
                principal,
                FileSystemRights.FullControl,
                InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
                PropagationFlags.None,
                AccessControlType.Allow));
        }

        return security;
    }

    private static List<IdentityReference> Principals()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return
        [
            identity.User ?? throw new InvalidOperationException("The current Windows account has no security identifier."),
            new SecurityIdentifier(WellKnownSidType.LocalSystemSid, null),
            new SecurityIdentifier(WellKnownSidType.BuiltinAdministratorsSid, null),
        ];
    }
}
