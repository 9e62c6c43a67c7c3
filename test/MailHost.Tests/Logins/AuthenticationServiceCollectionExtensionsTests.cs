using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

public class AuthenticationServiceCollectionExtensionsTests
{
    private static ServiceCollection BaseServices()
    {
        var services = new ServiceCollection();
        var directory = new InMemoryAccountDirectory();
        directory.AddAccount("alice", "pw", PasswordRecord.MinimumIterations);
        services.AddSingleton<IAccountDirectory>(directory);
        services.Configure<AuthenticationOptions>(o => o.PasswordIterations = PasswordRecord.MinimumIterations);
        return services;
    }

    [Fact]
    public void Registers_the_built_in_services()
    {
        var services = BaseServices();
        services.AddMailHostAuthentication();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        provider.GetRequiredService<IAuthIdentityResolver>().Should().BeOfType<DirectoryAuthIdentityResolver>();
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
        provider.GetRequiredService<AuthenticationThrottle>().Should().BeSameAs(provider.GetRequiredService<AuthenticationThrottle>());
        provider.GetRequiredService<PasswordAuthenticator>().Should().NotBeNull();
        provider.GetRequiredService<SaslAuthenticator>().GetMechanisms(true).Should().Equal("PLAIN", "LOGIN", "SCRAM-SHA-256");
        provider.GetRequiredService<IOptions<AuthenticationOptions>>().Value.LoginIdentity.Should().Be(LoginIdentityMode.AccountNameOrEmailAddress);
    }

    [Fact]
    public async Task Custom_resolver_registered_before_wins()
    {
        var services = BaseServices();
        services.AddSingleton<IAuthIdentityResolver, CustomerNumberResolver>();
        services.AddMailHostAuthentication();
        await AssertCustomResolverUsedAsync(services);
    }

    [Fact]
    public async Task Custom_resolver_registered_after_wins()
    {
        var services = BaseServices();
        services.AddMailHostAuthentication();
        services.AddSingleton<IAuthIdentityResolver, CustomerNumberResolver>();
        await AssertCustomResolverUsedAsync(services);
    }

    [Fact]
    public void Own_time_provider_is_kept()
    {
        var services = BaseServices();
        var time = new FakeTimeProvider();
        services.AddSingleton<TimeProvider>(time);
        services.AddMailHostAuthentication().AddMailHostAuthentication();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(time);
        provider.GetServices<SaslAuthenticator>().Should().ContainSingle();
    }

    private static async Task AssertCustomResolverUsedAsync(ServiceCollection services)
    {
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IAuthIdentityResolver>().Should().BeOfType<CustomerNumberResolver>();
        var authenticator = provider.GetRequiredService<PasswordAuthenticator>();
        var context = AuthTestHost.Context();
        var byNumber = await authenticator.AuthenticateAsync("C-1001", "pw", context, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        byNumber.Succeeded.Should().BeTrue();
        byNumber.Account!.Name.Should().Be("alice");
        var byName = await authenticator.AuthenticateAsync("alice", "pw", context, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        byName.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
    }

    /// <summary>An application's resolver: customers log in with a customer number.</summary>
    private sealed class CustomerNumberResolver(IAccountDirectory directory) : IAuthIdentityResolver
    {
        public ValueTask<AccountInfo?> ResolveAsync(AuthIdentityRequest request, CancellationToken ct) =>
            request.Login == "C-1001" ? directory.FindByNameAsync("alice", ct) : ValueTask.FromResult<AccountInfo?>(null);
    }
}
