using EmbeddedMailServer;
using MailHost.Hosting;
using MailHost.Logins;

// An ASP.NET Core application that is also a mail server. It serves a small HTTP status page on its own
// port, and the mail endpoints of the "MailHost" configuration section, with its own login rule: staff log in
// with their employee number as well as with their account name or address.
var builder = WebApplication.CreateBuilder(args);

var dataDirectory = builder.Configuration["MailHost:DataDirectory"] ?? "data";
builder.Services.AddMailHost(builder.Configuration);
builder.Services.AddSqliteAccountDirectory(Path.Combine(dataDirectory, "directory.db"));
builder.Services.AddSqliteMailStore(dataDirectory);
builder.Services.AddMailHostPop3(builder.Configuration);

// The application's own login rule replaces the built-in resolver (registration order does not matter);
// the built-in one stays available to it as a fallback.
builder.Services.AddSingleton<EmployeeRegistry>();
builder.Services.AddSingleton<DirectoryAuthIdentityResolver>();
builder.Services.AddSingleton<IAuthIdentityResolver, EmployeeNumberResolver>();

builder.WebHost.ConfigureKestrel((context, kestrel) =>
{
    kestrel.ListenLocalhost(5080);
    kestrel.ListenMailEndpoints(context.Configuration);
});

var app = builder.Build();
app.MapGet("/", (MailListenerRegistry listeners) => listeners.Listeners.Select(l => new
{
    l.Options.Name,
    Protocol = l.Options.Protocol.ToString(),
    Tls = l.Options.Tls.ToString(),
    EndPoint = l.EndPoint?.ToString(),
}));
await app.RunAsync().ConfigureAwait(false);
