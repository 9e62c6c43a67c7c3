using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailHost.Accounts;
using MailHost.Accounts.Sql;
using MailHost.IntegrationTests.Outbound;
using MailHost.Server.Administration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Administration;

/// <summary>
/// The real host with its administration endpoint on 127.0.0.1:0, an IMAP endpoint that accepts passwords on loopback,
/// outbound delivery to a route that is down (so submitted remote mail waits in the queue), the operator
/// <c>root</c> (password <c>root-pw</c>) and the mailbox user <c>alice</c> (<c>alice-pw</c>) of example.com.
/// </summary>
public sealed class AdminHost : IAsyncDisposable
{
    public const string Domain = "example.com";

    private AdminHost(MailHostInstance instance) => Instance = instance;

    public MailHostInstance Instance { get; }

    public Uri BaseAddress => Instance.Services.GetRequiredService<AdminListener>().BaseAddress!;

    public IPEndPoint Imap => Instance.Endpoint("Imap");

    public SqlAccountDirectory Directory => Instance.Services.GetRequiredService<SqlAccountDirectory>();

    public static async Task<AdminHost> StartAsync(params string[] extra)
    {
        var data = await MailHostInstance.PrepareAsync([Domain], "root@example.com", "alice@example.com");
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var instance = await MailHostInstance.StartAsync(
            data,
            "mail.example.com",
            [
                "--MailHost:Admin:Url=http://127.0.0.1:0",
                "--MailHost:Http:Url=http://127.0.0.1:0",
                "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
                "--MailHost:Endpoints:Imap:Tls=None",
                "--MailHost:Endpoints:Imap:AllowPlaintextAuthentication=true",
                "--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + deadPort,
                "--MailHost:Outbound:RetryInitialDelay=01:00:00",
                "--MailHost:Outbound:RetryMaxDelay=02:00:00",
                .. extra,
            ]);
        var host = new AdminHost(instance);
        var result = await ((IAdministrationDirectory)host.Directory).SetAdministratorAsync("root", true, CancellationToken.None);
        result.Succeeded.Should().BeTrue(result.Message);
        return host;
    }

    /// <summary>A client without a session, not following redirects, keeping cookies.</summary>
    public HttpClient Client() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        // An https:// endpoint serves the mail certificate, the test certificate here.
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Infrastructure.TestCertificate.Validate },
    })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A client signed in as <paramref name="login"/>, with the anti-forgery header of its session set.</summary>
    public async Task<HttpClient> SignedInAsync(string login, string password, string? code = null)
    {
        var client = Client();
        var response = await SignInAsync(client, login, password, code);
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().NotContain("failed", "the sign-in of {0} must succeed", login);
        var token = await client.GetFromJsonAsync<JsonElement>("/api/v1/antiforgery");
        client.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        return client;
    }

    /// <summary>Posts the sign-in form as a browser does: the anti-forgery token of the page, then the fields.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string login, string password, string? code = null)
    {
        var token = await client.GetFromJsonAsync<JsonElement>("/api/v1/antiforgery");
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token.GetProperty("token").GetString()!,
            ["login"] = login,
            ["password"] = password,
        };
        if (code is not null)
        {
            fields["code"] = code;
        }

        return await client.PostAsync("/signin", new FormUrlEncodedContent(fields));
    }

    /// <summary>A client with an API key of <paramref name="scope"/>.</summary>
    public async Task<(HttpClient Client, ApiKeyInfo Key)> WithApiKeyAsync(ApiKeyScope scope)
    {
        var created = await ((IAdministrationDirectory)Directory).CreateApiKeyAsync("test " + scope, scope, "test", CancellationToken.None);
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Token);
        return (client, created.Key);
    }

    public ValueTask DisposeAsync() => Instance.DisposeAsync();
}
