// An ASP.NET Core application that serves IMAP and SMTP, with the endpoints of its "MailHost" configuration section.
var builder = WebApplication.CreateBuilder(args);
var data = builder.Configuration["MailHost:DataDirectory"] ?? "data";
builder.Services.AddMailHost(builder.Configuration);
builder.Services.AddSqliteAccountDirectory(Path.Combine(data, "directory.db"));
builder.Services.AddSqliteMailStore(data);
builder.Services.AddMailHostImap(builder.Configuration);
builder.Services.AddMailHostSmtp(builder.Configuration);
builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel.ListenMailEndpoints(context.Configuration));
await builder.Build().RunAsync();
