using System.Text;
using MailHost.Accounts;

namespace MailHost.Tests.Logins;

public sealed class PasswordRecordTests
{
    // RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations. The keys are
    // the RFC 5802 §3 definitions computed from those inputs.
    private const string Rfc7677Record =
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

    [Fact]
    public void The_RFC_7677_inputs_give_the_expected_keys()
    {
        var salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

        var record = PasswordRecord.FromSaltedPassword(4096, salt, PasswordRecord.SaltPassword("pencil", salt, 4096));

        record.ToString().Should().Be(Rfc7677Record);
        record.Verify("pencil").Should().BeTrue();
        record.Verify("pencil ").Should().BeFalse();
    }

    [Fact]
    public void A_created_record_verifies_its_password_only_and_round_trips_through_text()
    {
        var record = PasswordRecord.Create("correct horse", PasswordRecord.MinimumIterations);

        PasswordRecord.TryParse(record.ToString(), out var parsed).Should().BeTrue();
        parsed!.Verify("correct horse").Should().BeTrue();
        parsed.Verify("Correct horse").Should().BeFalse();
        parsed.Iterations.Should().Be(PasswordRecord.MinimumIterations);
        parsed.ToString().Should().Be(record.ToString());
    }

    [Fact]
    public void Salts_are_random()
    {
        var a = PasswordRecord.Create("same", PasswordRecord.MinimumIterations);
        var b = PasswordRecord.Create("same", PasswordRecord.MinimumIterations);

        a.Salt.ToArray().Should().NotEqual(b.Salt.ToArray());
        a.StoredKey.ToArray().Should().NotEqual(b.StoredKey.ToArray());
    }

    [Fact]
    public void Passwords_are_compared_in_NFC()
    {
        var composed = "caf\u00e9";
        var decomposed = "cafe\u0301";
        var record = PasswordRecord.Create(composed, PasswordRecord.MinimumIterations);

        record.Verify(decomposed).Should().BeTrue();
        Encoding.UTF8.GetByteCount(composed).Should().NotBe(Encoding.UTF8.GetByteCount(decomposed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$100:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:not base64!$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==")]
    [InlineData("SCRAM-SHA-256$-1:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    public void Malformed_text_is_refused(string? text)
    {
        PasswordRecord.TryParse(text, out var record).Should().BeFalse();
        record.Should().BeNull();
    }

    [Fact]
    public void Weak_iteration_counts_and_empty_passwords_cannot_be_created()
    {
        var weak = () => PasswordRecord.Create("pw", 1000);
        var empty = () => PasswordRecord.Create("");

        weak.Should().Throw<ArgumentOutOfRangeException>();
        empty.Should().Throw<ArgumentException>();
    }
}
