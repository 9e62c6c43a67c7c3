using MailHost.Hosting;
using MailHost.Imap;
using MailHost.Pop3;
using MailHost.Smtp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Hosting;

/// <summary>The write timeouts, SMTP deadlines and rate of issue 17 items 6 and 7 are checked before the server starts.</summary>
public sealed class ProtocolTimeLimitsValidationTests
{
    [Theory]
    [InlineData("MailHost:Smtp:WriteTimeout", "00:00:00")]
    [InlineData("MailHost:Smtp:CommandTimeout", "-00:00:01")]
    [InlineData("MailHost:Smtp:DataTimeout", "00:00:00")]
    [InlineData("MailHost:Smtp:SessionTimeLimit", "-00:01:00")]
    [InlineData("MailHost:Smtp:SessionTimeLimit", "60.00:00:00")]
    [InlineData("MailHost:Smtp:MinDataRate", "-1")]
    [InlineData("MailHost:Imap:WriteTimeout", "00:00:00")]
    [InlineData("MailHost:Pop3:WriteTimeout", "-00:00:05")]
    public void A_configured_value_that_cannot_work_stops_the_registration_naming_its_key(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        var register = () => new ServiceCollection().AddMailHostSmtp(configuration).AddMailHostImap(configuration).AddMailHostPop3(configuration);

        register.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be(key);
    }

    [Fact]
    public void Zero_turns_the_session_time_limit_off_and_the_defaults_pass()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("MailHost:Smtp:SessionTimeLimit", "00:00:00")]).Build();
        using var provider = new ServiceCollection().AddMailHostSmtp(configuration).AddMailHostImap(configuration).AddMailHostPop3(configuration).BuildServiceProvider();

        provider.GetRequiredService<IOptions<SmtpOptions>>().Value.SessionTimeLimit.Should().Be(TimeSpan.Zero);
        provider.GetRequiredService<IOptions<ImapOptions>>().Value.WriteTimeout.Should().Be(TimeSpan.FromMinutes(2));
        provider.GetRequiredService<IOptions<Pop3Options>>().Value.WriteTimeout.Should().Be(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void A_value_set_in_code_is_checked_when_the_options_are_first_used()
    {
        var services = new ServiceCollection().AddMailHostSmtp();
        services.Configure<SmtpOptions>(o => o.WriteTimeout = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<SmtpOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().StartWith("MailHost:Smtp:WriteTimeout: 00:00:00 must be more than zero");
    }
}
