using System.Text;
using MailHost.Storage;
using MailHost.Storage.Search;

namespace MailHost.Tests.Storage;

/// <summary>FROM, TO, CC and BCC search the addresses as parsed, beside the header text (RFC 9051 §6.4.4).</summary>
public abstract partial class MailStoreConformanceTests
{
    [Fact]
    public async Task Address_search_matches_the_parsed_addresses_as_well_as_the_header_text()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        async Task<uint> Append(string headers) => (await AppendAsync(account, "INBOX", Encoding.UTF8.GetBytes(headers + "Subject: s\r\n\r\nbody\r\n"))).Uid;
        var plain = await Append("From: ann@example.org\r\nTo: ben@example.org\r\nCc: cat@example.org\r\nBcc: dan@example.org\r\n");
        var named = await Append("From: Ann Archer <ann@example.org>\r\nTo: Ben Baker <ben@example.org>\r\nCc: Cat Cole <cat@example.org>\r\nBcc: Dan Dale <dan@example.org>\r\n");
        var comments = await Append("From: <ann (at work)@ (mail) example.org>\r\nTo: ben@\r\n example.org\r\nCc: cat (c) @example.org\r\nBcc: <dan@(relay)example.org>\r\n");
        var trailing = await Append("From: ann@example.org (Ann Archer)\r\nTo: ben@example.org (Ben Baker)\r\nCc: cat@example.org (Cat Cole)\r\nBcc: dan@example.org (Dan Dale)\r\n");
        var groups = await Append("From: ann2@example.org, other@example.org\r\nTo: crew: ben2@example.org, eve@example.org;, rest:;\r\nCc: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jm@example.org>\r\n");
        var view = await SelectAsync(account, "INBOX");
        async Task<IReadOnlyList<uint>> Search(SearchCriteria criteria) => (await view.SearchAsync(criteria, default)).Value.Uids;

        (await Search(new AddressCriterion("From", "ann@example.org"))).Should().Equal(plain, named, comments, trailing);
        (await Search(new AddressCriterion("To", "BEN@EXAMPLE.ORG"))).Should().Equal(new[] { plain, named, comments, trailing }, "folding inside an address is gone once parsed");
        (await Search(new AddressCriterion("Cc", "cat@example.org"))).Should().Equal(plain, named, comments, trailing);
        (await Search(new AddressCriterion("Bcc", "dan@example.org"))).Should().Equal(plain, named, comments, trailing);
        (await Search(new AddressCriterion("From", "Ann Archer <ann@example.org>"))).Should().Equal(new[] { named, trailing }, "a trailing comment is the display name");
        (await Search(new AddressCriterion("Bcc", "archer"))).Should().BeEmpty();
        (await Search(new AddressCriterion("Cc", "cole"))).Should().Equal(named, trailing);
        (await Search(new AddressCriterion("From", "at work"))).Should().Equal(new[] { comments }, "the header text still counts");
        (await Search(new AddressCriterion("From", "ANN"))).Should().Equal(plain, named, comments, trailing, groups);
        (await Search(new AddressCriterion("From", "other"))).Should().Equal(groups);
        (await Search(new AddressCriterion("To", "crew"))).Should().Equal(groups);
        (await Search(new AddressCriterion("To", "eve@example.org"))).Should().Equal(groups);
        (await Search(new AddressCriterion("Cc", "Jörg Müller <jm@"))).Should().Equal(groups);
        (await Search(new AddressCriterion("Bcc", ""))).Should().Equal(new[] { plain, named, comments, trailing }, "an empty value asks for the header");
        (await Search(new AddressCriterion("Cc", "ben@example.org"))).Should().BeEmpty();
        (await Search(new HeaderCriterion("From", "ann@example.org"))).Should().Equal(new[] { plain, named, trailing }, "HEADER matches the header text only");
        (await Search(new NotCriterion(new AddressCriterion("To", "ben@example.org")))).Should().Equal(groups);
        (await Search(new OrCriterion(new AddressCriterion("To", "crew:"), new AddressCriterion("From", "ann (at")))).Should().Equal(comments, groups);
    }
}
