using MailHost.Accounts;
using MailHost.Server.Administration.Operations;
using Microsoft.AspNetCore.Components;

namespace MailHost.Server.Administration.Console;

/// <summary>
/// What every console page uses: the request (static server rendering always has one), who acts, and the message
/// that reports the outcome of the change just made.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "Razor compiles components as public classes, so their base class is public too.")]
public abstract class ConsolePage : ComponentBase
{
    /// <summary>The request being rendered.</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    /// <summary>The outcome of the last change, shown above the page's content; null when nothing was changed.</summary>
    protected string? ResultText { get; set; }

    /// <summary>Whether the last change succeeded.</summary>
    protected bool ResultSucceeded { get; set; }

    /// <summary>Cancelled when the browser goes away.</summary>
    protected CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <summary>The signed-in account and its address, for the audit log.</summary>
    internal AdminActor Actor => AdminActor.From(HttpContext ?? throw new InvalidOperationException("Console pages are rendered on the server only."));

    /// <summary>Shows the directory's answer to a change.</summary>
    protected void Show(AccountAdministrationResult result)
    {
        ResultText = result.Message;
        ResultSucceeded = result.Succeeded;
    }

    /// <summary>Shows a message of the page's own.</summary>
    protected void Show(bool succeeded, string text)
    {
        ResultText = text;
        ResultSucceeded = succeeded;
    }
}
