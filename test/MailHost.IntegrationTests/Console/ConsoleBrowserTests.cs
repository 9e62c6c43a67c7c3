using System.Net;
using MailHost.Accounts;
using OpenQA.Selenium;

namespace MailHost.IntegrationTests.Console;

/// <summary>
/// The web console in a real browser against the real host: an operator sets up a domain and an account, the account's
/// IMAP login shows on its own page, a deferred message is retried from the queue page, and the pages hold together
/// on a phone. Screenshots of every page go to <see cref="ChromiumBrowser.ArtifactDirectory"/>.
/// </summary>
public sealed partial class ConsoleBrowserTests : IClassFixture<ConsoleBrowserTests.Fixture>
{
    private const string UserLogin = "carol";
    private const string UserPassword = "carol-password-1";
    private readonly Fixture _fixture;

    public ConsoleBrowserTests(Fixture fixture)
    {
        _fixture = fixture;
        // Each test starts signed out (cookies belong to a site: only once the browser has visited it).
        if (fixture.Browser is { } browser)
        {
            if (browser.Driver.Url.StartsWith("http", StringComparison.Ordinal))
            {
                browser.Driver.Manage().Cookies.DeleteAllCookies();
            }

            browser.Resize(ChromiumBrowser.Desktop);
        }
    }

    private ConsoleHost Host => _fixture.Host!;

    private ChromiumBrowser Browser => _fixture.Browser!;

    [ChromiumFact]
    public async Task An_operator_sets_up_an_account_whose_login_and_deferred_mail_show_in_the_console()
    {
        // An unauthenticated visit goes to the sign-in page, and back to the page asked for after it.
        Browser.Open(Host.Page("/domains"));
        Browser.Url.AbsolutePath.Should().Be("/signin");
        Browser.Screenshot("desktop-signin");
        SignIn(ConsoleHost.OperatorLogin, ConsoleHost.OperatorPassword);
        Browser.Url.AbsolutePath.Should().Be("/domains");

        Browser.Fill("new-domain", "example.org");
        Browser.Submit(By.XPath("//button[normalize-space()='Add domain']"));
        Browser.Message.Should().Contain("example.org");
        Browser.Driver.FindElements(By.CssSelector("p.message.ok")).Should().ContainSingle();
        Browser.Submit(By.CssSelector("button[value='dkim:example.org']"));
        Browser.Message.Should().Contain("New DKIM key for example.org");
        Browser.PageText.Should().Contain("v=DKIM1");
        Browser.Submit(By.CssSelector("button[value='check:example.org']"));
        Browser.Driver.FindElement(By.Id("check-heading")).Text.Should().Be("DNS check of example.org");
        Browser.Screenshot("desktop-domains");

        Browser.Open(Host.Page("/accounts"));
        Browser.Fill("account-name", UserLogin);
        Browser.Fill("account-addresses", "carol@example.org,\ncarol.c@example.org");
        Browser.Fill("account-password", UserPassword);
        Browser.Submit(By.XPath("//button[normalize-space()='Create account']"));
        Browser.Driver.FindElements(By.CssSelector("p.message.ok")).Should().ContainSingle(Browser.Message);
        Browser.Driver.FindElement(By.LinkText(UserLogin)).Should().NotBeNull();
        Browser.Screenshot("desktop-accounts");

        // The new account uses its mail: an IMAP login, and a message to a domain whose next hop is down.
        await Host.ImapLoginAsync(UserLogin, UserPassword, "ConsoleTestClient");
        await Host.SubmitAsync(UserLogin, UserPassword, "carol@example.org", "dave@" + ConsoleHost.RemoteDomain);
        await Host.WaitForDeferralsAsync(1);

        Browser.Open(Host.Page("/queue"));
        Browser.PageText.Should().Contain("dave@" + ConsoleHost.RemoteDomain).And.Contain("1 attempt(s)");
        Browser.Screenshot("desktop-queue");
        Browser.Submit(By.CssSelector("button[value^='retry:']"));
        Browser.Message.Should().EndWith("is due now.");
        await Host.WaitForDeferralsAsync(2);
        Browser.Open(Host.Page("/queue"));
        Browser.PageText.Should().Contain("2 attempt(s)", "the retry made the worker try again at once");

        Browser.Open(Host.Page("/audit"));
        Browser.PageText.Should().Contain(AuditActions.QueueRetry).And.Contain(AuditActions.AccountCreate).And.Contain(AuditActions.DomainCreate);
        Browser.Screenshot("desktop-audit");

        Browser.Open(Host.Page("/apikeys"));
        Browser.Fill("key-name", "backup script");
        Browser.Submit(By.XPath("//button[normalize-space()='Create key']"));
        Browser.Driver.FindElement(By.Id("new-token")).Text.Should().StartWith("mhk_");
        Browser.Screenshot("desktop-apikeys");
        Browser.Submit(By.CssSelector("button[name='RevokeId']"));
        Browser.Message.Should().EndWith("is revoked.");

        Browser.Open(Host.Page("/accounts/" + UserLogin));
        Browser.PageText.Should().Contain("ConsoleTestClient");
        Browser.Fill("quota-messages", "500");
        Browser.Submit(By.XPath("//button[normalize-space()='Set the quota']"));
        Browser.Message.Should().Be($"The quota of {UserLogin} is now storage unlimited, messages 500.");
        Browser.Driver.FindElement(By.Id("quota-usage")).Text.Should().Contain("of 500.");
        Browser.Screenshot("desktop-account");

        Browser.Open(Host.Page("/"));
        Browser.Heading.Should().Be("Dashboard");
        Browser.Screenshot("desktop-dashboard");

        SignOut();

        // The account's own page: its IMAP login, with the network it came from.
        Browser.Open(Host.Page("/"));
        SignIn(UserLogin, UserPassword);
        Browser.Url.AbsolutePath.Should().Be("/me", "a mailbox user cannot see the dashboard");
        var imapRow = Browser.Driver.FindElements(By.CssSelector("table tbody tr")).Select(row => row.Text).Should()
            .Contain(row => row.Contains("IMAP", StringComparison.OrdinalIgnoreCase) && row.Contains("ConsoleTestClient", StringComparison.Ordinal)).Subject;
        imapRow.Should().Contain("127.0.0.1").And.Contain("127.0.0.0/24").And.Contain("Succeeded");
        Browser.Screenshot("desktop-me");

        Browser.Fill("current-password", UserPassword);
        Browser.Fill("new-password", UserPassword + "-new");
        Browser.Fill("repeat-password", UserPassword + "-new");
        Browser.Submit(By.XPath("//button[normalize-space()='Change password']"));
        Browser.Driver.FindElements(By.CssSelector("p.message.ok")).Should().ContainSingle(Browser.Message);

        // Operator pages are closed to a mailbox user, and the navigation does not offer them.
        Browser.Driver.FindElements(By.LinkText("Queue")).Should().BeEmpty();
        Browser.Open(Host.Page("/queue"));
        Browser.Url.AbsolutePath.Should().Be("/denied");
        Browser.Heading.Should().Be("Access denied");
        Browser.Screenshot("desktop-denied");

        SignOut();
        Browser.Open(Host.Page("/me"));
        Browser.Url.AbsolutePath.Should().Be("/signin", "the session ended");
    }

    [ChromiumFact]
    public void A_wrong_password_is_refused_with_a_message()
    {
        Browser.Open(Host.Page("/signin"));
        Browser.Message.Should().BeNull();
        SignIn(ConsoleHost.OperatorLogin, "not-the-password");
        Browser.Url.AbsolutePath.Should().Be("/signin");
        Browser.Message.Should().Be("The login, password or code is wrong.");
        Browser.Screenshot("desktop-signin-failed");
    }

    [ChromiumFact]
    public async Task Every_page_fits_a_phone_screen()
    {
        Browser.Resize(ChromiumBrowser.Phone);
        Browser.Open(Host.Page("/signin"));
        SignIn(ConsoleHost.OperatorLogin, ConsoleHost.OperatorPassword);
        foreach (var (path, name) in new[] { ("/", "dashboard"), ("/domains", "domains"), ("/accounts", "accounts"), ("/queue", "queue"), ("/audit", "audit"), ("/apikeys", "apikeys"), ("/traces", "traces"), ("/me", "me") })
        {
            Browser.Open(Host.Page(path));
            Browser.Driver.FindElement(By.TagName("h1")).Displayed.Should().BeTrue(path);
            Browser.FitsWidth().Should().BeTrue($"{path} must not be wider than the phone (tables scroll in their own box)");
            Browser.Screenshot("phone-" + name);
        }

        // An unknown page is a 404 with a page of its own.
        Browser.Open(Host.Page("/no-such-page"));
        Browser.Heading.Should().Be("Page not found");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        (await http.GetAsync(Host.Page("/no-such-page"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [ChromiumFact]
    public async Task An_operator_traces_a_client_address_and_reads_the_redacted_session()
    {
        Browser.Resize(ChromiumBrowser.Desktop);
        Browser.Open(Host.Page("/signin"));
        SignIn(ConsoleHost.OperatorLogin, ConsoleHost.OperatorPassword);
        Browser.Open(Host.Page("/traces"));
        Browser.Fill("trace-address", "127.0.0.1");
        Browser.Fill("trace-minutes", "5");
        Browser.Submit(By.XPath("//button[normalize-space()='Start']"));
        Browser.Message.Should().StartWith("Tracing 127.0.0.1 until");

        await Host.ImapLoginAsync(ConsoleHost.OperatorLogin, ConsoleHost.OperatorPassword, "TracedClient");
        Browser.Open(Host.Page("/traces"));
        Browser.Driver.FindElement(By.LinkText("127.0.0.1")).Click();
        var lines = Browser.Driver.FindElement(By.Id("trace-lines")).Text;
        lines.Should().Contain("<redacted>").And.Contain("TracedClient").And.NotContain(ConsoleHost.OperatorPassword);
        Browser.Screenshot("desktop-traces");
        Browser.Submit(By.XPath("//button[normalize-space()='Stop the trace']"));
        Browser.Message.Should().Be("The trace is stopped.");
    }

    private void SignIn(string login, string password)
    {
        Browser.Fill("login", login);
        Browser.Fill("password", password);
        Browser.Submit(By.XPath("//button[normalize-space()='Sign in']"));
    }

    private void SignOut()
    {
        Browser.Submit(By.XPath("//form[@action='/signout']/button"));
        Browser.Url.AbsolutePath.Should().Be("/signin");
    }

    /// <summary>One host and one browser for the class: starting Chromium costs more than any one test.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public ConsoleHost? Host { get; private set; }

        public ChromiumBrowser? Browser { get; private set; }

        public async Task InitializeAsync()
        {
            if (ChromiumBrowser.SkipReason is not null)
            {
                return;
            }

            Host = await ConsoleHost.StartAsync();
            Browser = new ChromiumBrowser();
        }

        public async Task DisposeAsync()
        {
            Browser?.Dispose();
            if (Host is not null)
            {
                await Host.DisposeAsync();
            }
        }
    }
}
