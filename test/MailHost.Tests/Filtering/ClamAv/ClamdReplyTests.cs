using MailHost.Filtering.ClamAv;

namespace MailHost.Tests.Filtering.ClamAv;

/// <summary>Replies to INSTREAM as clamd(8) and clamd 1.4's sources word them.</summary>
public sealed class ClamdReplyTests
{
    [Theory]
    [InlineData("stream: OK", nameof(ClamdScanStatus.Clean), null)]
    [InlineData("stream: Eicar-Signature FOUND", nameof(ClamdScanStatus.Infected), "Eicar-Signature")]
    [InlineData("stream: MailHost-Test-EICAR.UNOFFICIAL FOUND", nameof(ClamdScanStatus.Infected), "MailHost-Test-EICAR.UNOFFICIAL")]
    // ExtendedDetectionInfo yes adds the hash and size to the name.
    [InlineData("stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND", nameof(ClamdScanStatus.Infected), "Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68)")]
    [InlineData("INSTREAM size limit exceeded. ERROR", nameof(ClamdScanStatus.SizeLimitExceeded), null)]
    [InlineData("stream: Can't allocate memory ERROR", nameof(ClamdScanStatus.Error), "Can't allocate memory")]
    [InlineData("Error processing command. ERROR", nameof(ClamdScanStatus.Error), "Error processing command.")]
    [InlineData("UNKNOWN COMMAND", nameof(ClamdScanStatus.Malformed), "UNKNOWN COMMAND")]
    [InlineData("COMMAND READ TIMED OUT", nameof(ClamdScanStatus.Malformed), "COMMAND READ TIMED OUT")]
    [InlineData("stream:  FOUND", nameof(ClamdScanStatus.Malformed), "stream:  FOUND")]
    [InlineData("stream: ok", nameof(ClamdScanStatus.Malformed), "stream: ok")]
    [InlineData("", nameof(ClamdScanStatus.Malformed), "")]
    public void Parses_the_scan_reply(string reply, string status, string? detail)
        => ClamdReply.ParseScan(reply).Should().Be(new ClamdScanResult(Enum.Parse<ClamdScanStatus>(status), detail));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\r\nb", "a??b")]
    [InlineData("tab\there", "tab?here")]
    [InlineData("caf\u00e9", "caf?")]
    public void Printable_replaces_everything_but_printable_ASCII(string text, string expected)
        => ClamdReply.Printable(text).Should().Be(expected);

    [Fact]
    public void Printable_cuts_long_text()
        => ClamdReply.Printable(new string('a', 10), 8).Should().Be("aaaaa...");
}
