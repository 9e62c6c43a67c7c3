using MailHost.Imap;
using MailHost.Pop3;
using MailHost.Smtp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace MailHost.Hosting;

/// <summary>
/// Checks the deadlines and rates of the protocol options (<c>MailHost:Smtp</c>, <c>MailHost:Imap</c>,
/// <c>MailHost:Pop3</c>): when the host starts for options set in code, and at registration for configuration, so
/// the server refuses to start with a message that names the key.
/// </summary>
internal sealed class ProtocolTimeLimitsValidation : IValidateOptions<SmtpOptions>, IValidateOptions<ImapOptions>, IValidateOptions<Pop3Options>
{
    /// <summary>The longest limit accepted: well within the 49 days a .NET timer can hold.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    public ValidateOptionsResult Validate(string? name, SmtpOptions options) => Result(FindProblem(options, SmtpOptions.SectionName));

    public ValidateOptionsResult Validate(string? name, ImapOptions options) => Result(FindProblem(options, ImapOptions.SectionName));

    public ValidateOptionsResult Validate(string? name, Pop3Options options) => Result(FindProblem(options, Pop3Options.SectionName));

    /// <summary>Binds <paramref name="section"/> to fresh options and checks them.</summary>
    /// <exception cref="MailHostConfigurationException">A value is not usable.</exception>
    public static void CheckConfiguration<TOptions>(IConfigurationSection section, Func<TOptions, string, (string Key, string Problem)?> findProblem)
        where TOptions : new()
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new TOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw MailHostConfigurationException.For(section.Path, ex.Message, ex);
        }

        if (findProblem(options, section.Path) is { } problem)
        {
            throw MailHostConfigurationException.For(problem.Key, problem.Problem);
        }
    }

    internal static (string Key, string Problem)? FindProblem(SmtpOptions options, string sectionPath)
    {
        if (options.MinDataRate < 0)
        {
            return (sectionPath + ":" + nameof(options.MinDataRate), $"{options.MinDataRate} must be zero or more (octets per second; Postfix uses 500).");
        }

        return FindProblem(
            sectionPath,
            (nameof(options.CommandTimeout), options.CommandTimeout, false),
            (nameof(options.DataTimeout), options.DataTimeout, false),
            (nameof(options.SessionTimeLimit), options.SessionTimeLimit, true),
            (nameof(options.WriteTimeout), options.WriteTimeout, false));
    }

    internal static (string Key, string Problem)? FindProblem(ImapOptions options, string sectionPath)
        => FindProblem(sectionPath, (nameof(options.WriteTimeout), options.WriteTimeout, false));

    internal static (string Key, string Problem)? FindProblem(Pop3Options options, string sectionPath)
        => FindProblem(sectionPath, (nameof(options.WriteTimeout), options.WriteTimeout, false));

    private static (string Key, string Problem)? FindProblem(string sectionPath, params (string Name, TimeSpan Value, bool ZeroTurnsOff)[] limits)
    {
        foreach (var (name, value, zeroTurnsOff) in limits)
        {
            if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !zeroTurnsOff))
            {
                return (sectionPath + ":" + name, $"{value} must be {(zeroTurnsOff ? "zero (off) or more" : "more than zero")}, e.g. 00:02:00 for two minutes.");
            }

            if (value > Longest)
            {
                return (sectionPath + ":" + name, $"{value} is longer than the {Longest.TotalDays} days allowed{(zeroTurnsOff ? "; use 00:00:00 to turn the limit off" : "")}.");
            }
        }

        return null;
    }

    private static ValidateOptionsResult Result((string Key, string Problem)? problem)
        => problem is { } found ? ValidateOptionsResult.Fail(found.Key + ": " + found.Problem) : ValidateOptionsResult.Success;
}
