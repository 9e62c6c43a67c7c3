using MailHost.Server;

return await MailHostServer.RunAsync(args).ConfigureAwait(false);
