using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailHost.Accounts;
using MailHost.Server.Administration.Operations;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;

namespace MailHost.IntegrationTests.Console;

/// <summary>
/// App passwords in the console: a user makes one on their own page and sees its secret once, a mail client logs in
/// with it over IMAP and shows up in the list and the login table, the user requires app passwords and revokes it;
/// another user's forged post cannot touch it.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    private const string AlicePassword = "alice-password-1";
    private const string BobPassword = "bob-password-1";

    [ChromiumFact]
    public async Task A_user_makes_an_app_password_that_logs_in_over_imap_then_requires_and_revokes_it()
    {
        var login = "alice.console";
        await CreateAccountAsync(login, AlicePassword);
        Browser.Open(Host.Page("/signin"));
        SignIn(login, AlicePassword);
        Browser.Url.AbsolutePath.Should().Be("/me");
        Browser.PageText.Should().Contain("No app passwords.");

        Browser.Fill("app-password-name", "Alice's phone");
        Browser.Driver.FindElement(By.CssSelector("input[name='NewAppPassword.Pop3']")).Click();
        Browser.Fill("app-password-networks", "127.0.0.0/8\n192.0.2.0/24");
        Browser.Fill("app-password-expires", "90d");
        Browser.Submit(By.XPath("//button[normalize-space()='Create app password']"));
        Browser.Message.Should().StartWith("Created app password ").And.EndWith("(Alice's phone).");
        var secret = Browser.Driver.FindElement(By.Id("new-app-password")).Text;
        secret.Should().MatchRegex("^[a-z0-9]{6}(-[a-z0-9]{6}){3}$");
        Browser.PageText.Should().Contain("cannot be shown again");
        var id = (await ListAsync(login)).Should().ContainSingle().Subject.Id;
        Browser.Screenshot("desktop-me-app-password");

        // The secret works where the account password would, and only where the user allowed it.
        await Host.ImapLoginAsync(login, secret, "AlicePhoneMail");
        Browser.Open(Host.Page("/me"));
        Browser.PageText.Should().NotContain(secret, "the secret is shown on the result page only");
        var row = Browser.Driver.FindElements(By.CssSelector("#app-passwords tbody tr")).Should().ContainSingle().Subject.Text;
        row.Should().Contain("Alice's phone").And.Contain(id).And.Contain("imap,smtp").And.Contain("127.0.0.0/8, 192.0.2.0/24")
            .And.Contain("127.0.0.1").And.Contain("IMAP").And.Contain("AlicePhoneMail").And.NotContain("never used");
        Browser.Driver.FindElements(By.CssSelector("table tbody tr")).Select(r => r.Text).Should()
            .Contain(r => r.Contains("AlicePhoneMail", StringComparison.Ordinal) && r.Contains($"app password Alice's phone ({id})", StringComparison.Ordinal));

        // Required: the account password no longer logs in over IMAP, the app password still does.
        await Host.ImapLoginAsync(login, AlicePassword, "AliceDesktop");
        Browser.Submit(By.XPath("//button[normalize-space()='Require app passwords for mail']"));
        Browser.Driver.FindElements(By.CssSelector("p.message.ok")).Should().ContainSingle(Browser.Message);
        Browser.Driver.FindElement(By.Id("app-passwords-required")).Text.Should().StartWith("on");
        await ImapLoginRefusedAsync(login, AlicePassword);
        await Host.ImapLoginAsync(login, secret, "AlicePhoneMail");

        // Revoked: gone from the list, and the secret no longer logs in.
        Browser.Submit(By.CssSelector($"button[name='RevokeAppPassword'][value='{id}']"));
        Browser.Message.Should().Be($"App password {id} is revoked.");
        Browser.Driver.FindElements(By.CssSelector("#app-passwords tbody tr")).Should().BeEmpty();
        (await ListAsync(login)).Should().BeEmpty();
        await ImapLoginRefusedAsync(login, secret);

        // Each change is in the audit log with the user as the actor, and the secret is in none of it.
        var audit = await Host.Services.GetRequiredService<IAdministrationDirectory>().GetAuditAsync(100, CancellationToken.None);
        audit.Where(e => e.Actor == login && e.Target == login).Select(e => e.Action).Should()
            .Contain([AuditActions.AppPasswordCreate, AuditActions.AppPasswordsRequire, AuditActions.AppPasswordRevoke]);
        audit.Should().NotContain(e => e.Detail != null && e.Detail.Contains(secret, StringComparison.Ordinal));
        SignOut();

        // The operator sees the switch on the account's page and turns it off again.
        SignIn(ConsoleHost.OperatorLogin, ConsoleHost.OperatorPassword);
        Browser.Open(Host.Page("/accounts/" + login));
        Browser.Driver.FindElement(By.Id("app-passwords-required")).Text.Should().StartWith("required");
        Browser.Submit(By.XPath("//button[normalize-space()=\"Accept the account's password for mail again\"]"));
        Browser.Driver.FindElement(By.Id("app-passwords-required")).Text.Should().StartWith("optional");
        await Host.ImapLoginAsync(login, AlicePassword, "AliceDesktop");
    }

    [ChromiumFact]
    public async Task An_operator_revokes_an_app_password_on_the_accounts_page()
    {
        var login = "dora.console";
        await CreateAccountAsync(login, "dora-password-1");
        var created = await CreateAppPasswordAsync(login, "Dora's laptop");
        await Host.ImapLoginAsync(login, created.Secret, "DoraMail");

        Browser.Open(Host.Page("/signin"));
        SignIn(ConsoleHost.OperatorLogin, ConsoleHost.OperatorPassword);
        Browser.Open(Host.Page("/accounts/" + login));
        var row = Browser.Driver.FindElements(By.CssSelector("#app-passwords tbody tr")).Should().ContainSingle().Subject.Text;
        row.Should().Contain("Dora's laptop").And.Contain(created.AppPassword.Id).And.Contain("DoraMail");
        Browser.PageText.Should().Contain($"app password Dora's laptop ({created.AppPassword.Id})", "the login table names the device");
        Browser.Submit(By.CssSelector($"button[name='RevokeAppPassword'][value='{created.AppPassword.Id}']"));
        Browser.Message.Should().Be($"App password {created.AppPassword.Id} of {login} is revoked.");
        (await ListAsync(login)).Should().BeEmpty();
        await ImapLoginRefusedAsync(login, created.Secret);
    }

    [ChromiumFact]
    public async Task Another_user_cannot_revoke_or_change_an_app_password_that_is_not_theirs()
    {
        var alice = "alice.forged";
        var bob = "bob.forged";
        await CreateAccountAsync(alice, AlicePassword);
        await CreateAccountAsync(bob, BobPassword);
        var created = await CreateAppPasswordAsync(alice, "Alice's tablet");

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = Host.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var signIn = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(http),
            ["login"] = bob,
            ["password"] = BobPassword,
        }));
        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signIn.Headers.Location!.OriginalString.Should().NotContain("failed");

        // Bob's own revoke form, valid in every way but the id, which is Alice's.
        var forged = await http.PostAsync("/me", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "own-app-password-revoke",
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(http),
            ["RevokeAppPassword"] = created.AppPassword.Id,
        }));
        forged.StatusCode.Should().Be(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await forged.Content.ReadAsStringAsync()).Should().Contain($"You have no app password '{created.AppPassword.Id}'.");

        // The operator's form for Alice's account is closed to Bob.
        var operatorForm = await http.PostAsync("/accounts/" + alice, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "account-app-password-revoke",
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(http),
            ["RevokeAppPassword"] = created.AppPassword.Id,
        }));
        operatorForm.IsSuccessStatusCode.Should().BeFalse();

        (await ListAsync(alice)).Should().ContainSingle(p => p.Id == created.AppPassword.Id);
        await Host.ImapLoginAsync(alice, created.Secret, "AliceTablet");
        var audit = await Host.Services.GetRequiredService<IAdministrationDirectory>().GetAuditAsync(100, CancellationToken.None);
        audit.Should().NotContain(e => e.Actor == bob);
    }

    private async Task CreateAccountAsync(string login, string password)
    {
        var result = await Host.Services.GetRequiredService<AccountOperations>()
            .CreateAsync(new AdminActor("test", null), login, [login + "@example.net"], password, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        result.Succeeded.Should().BeTrue(result.Message);
    }

    private async Task<AppPasswordCreated> CreateAppPasswordAsync(string login, string name)
    {
        var creation = await Host.Services.GetRequiredService<AppPasswordOperations>()
            .CreateAsync(new AdminActor("test", null), login, name, "imap", [], null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        return creation.Created ?? throw new InvalidOperationException(creation.Problem);
    }

    private async Task<IReadOnlyList<AppPasswordInfo>> ListAsync(string login) =>
        await Host.Services.GetRequiredService<AppPasswordOperations>().ListAsync(login, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15))
        ?? throw new InvalidOperationException($"There is no account {login}.");

    // LOGIN only (RFC 9051 §6.2.3): MailKit would otherwise try each SASL mechanism in turn, and the server closes a
    // connection after repeated failures, which hides the one refusal the test is about.
    private async Task ImapLoginRefusedAsync(string login, string password)
    {
        using var client = new ImapClient { Timeout = 15_000 };
        await client.ConnectAsync(Host.Imap.Address.ToString(), Host.Imap.Port, SecureSocketOptions.None).WaitAsync(TimeSpan.FromSeconds(15));
        client.AuthenticationMechanisms.Clear();
        await FluentActions.Awaiting(() => client.AuthenticateAsync(login, password).WaitAsync(TimeSpan.FromSeconds(15))).Should().ThrowAsync<AuthenticationException>();
        await client.DisconnectAsync(quit: true).WaitAsync(TimeSpan.FromSeconds(15));
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient http)
    {
        var token = await http.GetFromJsonAsync<JsonElement>("/api/v1/antiforgery").WaitAsync(TimeSpan.FromSeconds(15));
        return token.GetProperty("token").GetString()!;
    }
}
