using System.Drawing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace MailHost.IntegrationTests.Console;

/// <summary>
/// Debian's headless Chromium driven through Debian's chromedriver, with a fresh profile in a temporary directory.
/// Both paths are explicit, so Selenium Manager never runs and nothing is downloaded; the flags keep Chromium off the
/// network (no component updates, sync or background requests), so the only traffic is to the host on loopback.
/// </summary>
public sealed class ChromiumBrowser : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverDirectory = "/usr/bin";
    public const string DriverName = "chromedriver";

    public static readonly Size Desktop = new(1280, 900);
    public static readonly Size Phone = new(390, 844);

    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(15);
    private readonly string _profile = Path.Combine(Path.GetTempPath(), "mailhost-chromium", Guid.NewGuid().ToString("N"));
    private readonly ChromeDriverService _service;

    public ChromiumBrowser()
    {
        // Selenium Manager is only consulted for a missing driver or browser; offline, it could not download either.
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        Directory.CreateDirectory(_profile);
        _service = ChromeDriverService.CreateDefaultService(DriverDirectory, DriverName);
        _service.SuppressInitialDiagnosticInformation = true;
        _service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--user-data-dir=" + _profile, $"--window-size={Desktop.Width},{Desktop.Height}");
        Driver = new ChromeDriver(_service, options, PageTimeout);
        Driver.Manage().Timeouts().PageLoad = PageTimeout;
        Driver.Manage().Timeouts().ImplicitWait = TimeSpan.Zero;
    }

    /// <summary>Why browser tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MAILHOST_REQUIRE_CHROMIUM") == "1" || (File.Exists(BrowserPath) && File.Exists(Path.Combine(DriverDirectory, DriverName)))
            ? null
            : "Browser tests skipped: /usr/bin/chromium or /usr/bin/chromedriver is not installed (on Debian: apt-get install chromium chromium-driver; .ci/run installs them).";

    /// <summary>Where screenshots go: <c>MAILHOST_TEST_ARTIFACTS</c>, else <c>TestResults/screenshots</c> beside the test assembly.</summary>
    public static string ArtifactDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("MAILHOST_TEST_ARTIFACTS") is { Length: > 0 } artifacts ? artifacts : Path.Combine(AppContext.BaseDirectory, "TestResults"),
        "screenshots");

    public ChromeDriver Driver { get; }

    public string Title => Driver.Title;

    public string Heading => Driver.FindElement(By.TagName("h1")).Text;

    public Uri Url => new(Driver.Url);

    /// <summary>The message of the change just made (success or error), or null when the page shows none.</summary>
    public string? Message => Driver.FindElements(By.CssSelector("p.message")).FirstOrDefault()?.Text;

    public string PageText => Driver.FindElement(By.TagName("body")).Text;

    public void Resize(Size size) => Driver.Manage().Window.Size = size;

    /// <summary>Opens <paramref name="url"/> and returns when the page (after any redirects) has loaded.</summary>
    public void Open(Uri url) => Driver.Navigate().GoToUrl(url);

    public void Fill(string id, string text)
    {
        var field = Driver.FindElement(By.Id(id));
        field.Clear();
        field.SendKeys(text);
    }

    /// <summary>Clicks what submits a form and returns once the next page has replaced this one.</summary>
    public void Submit(By button) => Submit(Driver.FindElement(button));

    public void Submit(IWebElement button)
    {
        var old = Driver.FindElement(By.TagName("html"));
        button.Click();
        var deadline = DateTime.UtcNow + PageTimeout;
        while (true)
        {
            try
            {
                // Any call on an element of the replaced document throws; until then the old page is still there.
                _ = old.Enabled;
            }
            catch (StaleElementReferenceException)
            {
                break;
            }
            catch (UnknownErrorException ex) when (ex.Message.Contains("does not belong to the document", StringComparison.Ordinal))
            {
                // chromedriver's answer when the question races the document's replacement: the old page is gone too.
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The form post did not load a new page.");
            }

            Thread.Sleep(20);
        }

        var loaded = DateTime.UtcNow + PageTimeout;
        while (!Equals(Driver.ExecuteScript("return document.readyState"), "complete"))
        {
            if (DateTime.UtcNow > loaded)
            {
                throw new TimeoutException("The page after the form post did not finish loading.");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Whether the page is no wider than the window (tables scroll inside their own box on a phone).</summary>
    public bool FitsWidth() => Convert.ToInt64(Driver.ExecuteScript("return document.documentElement.scrollWidth - window.innerWidth;"), System.Globalization.CultureInfo.InvariantCulture) <= 0;

    /// <summary>Saves a PNG of the window as <c>&lt;name&gt;.png</c> in <see cref="ArtifactDirectory"/>; returns its path.</summary>
    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ArtifactDirectory);
        var path = Path.Combine(ArtifactDirectory, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        finally
        {
            Driver.Dispose();
            _service.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium's last writes may still be closing; the temp folder is cleaned by the OS eventually.
            }
        }
    }
}
