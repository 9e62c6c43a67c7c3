namespace MailHost.IntegrationTests;

public class SmokeTests
{
    [Fact]
    public void Builds() => true.Should().BeTrue();
}
