using System.Text;
using MailHost.Storage.Search;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage;

/// <summary>FROM, TO, CC and BCC search the addresses as parsed, beside the header text (RFC 9051 §6.4.4).</summary>
public abstract partial class MailStoreConformanceTests
{
    [StoreFact]
    public async Task Address_search_matches_the_parsed_addresses_as_well_as_the_header_text()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        async Task<uint> AppendUidAsync(string headers) => (await AppendAsync(account, "INBOX", Encoding.UTF8.GetBytes(headers + "Subject: s\r\n\r\nbody\r\n"))).Uid;
        var plain = await AppendUidAsync("From: ann@example.org\r\nTo: ben@example.org\r\nCc: cat@example.org\r\nBcc: dan@example.org\r\n");
        var named = await AppendUidAsync("From: Ann Archer <ann@example.org>\r\nTo: Ben Baker <ben@example.org>\r\nCc: Cat Cole <cat@example.org>\r\nBcc: Dan Dale <dan@example.org>\r\n");
        var comments = await AppendUidAsync("From: <ann (at work)@ (mail) example.org>\r\nTo: ben@\r\n example.org\r\nCc: cat (c) @example.org\r\nBcc: <dan@(relay)example.org>\r\n");
        var trailing = await AppendUidAsync("From: ann@example.org (Ann Archer)\r\nTo: ben@example.org (Ben Baker)\r\nCc: cat@example.org (Cat Cole)\r\nBcc: dan@example.org (Dan Dale)\r\n");
        var groups = await AppendUidAsync("From: ann2@example.org, other@example.org\r\nTo: crew: ben2@example.org, eve@example.org;, rest:;\r\nCc: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jm@example.org>\r\n");
        var view = await SelectAsync(account, "INBOX");
        async Task<IReadOnlyList<uint>> SearchUidsAsync(SearchCriteria criteria) => (await view.SearchAsync(criteria, default)).Value.Uids;

        (await SearchUidsAsync(new AddressCriterion("From", "ann@example.org"))).Should().Equal(plain, named, comments, trailing);
        (await SearchUidsAsync(new AddressCriterion("To", "BEN@EXAMPLE.ORG"))).Should().Equal([plain, named, comments, trailing], "folding inside an address is gone once parsed");
        (await SearchUidsAsync(new AddressCriterion("Cc", "cat@example.org"))).Should().Equal(plain, named, comments, trailing);
        (await SearchUidsAsync(new AddressCriterion("Bcc", "dan@example.org"))).Should().Equal(plain, named, comments, trailing);
        (await SearchUidsAsync(new AddressCriterion("From", "Ann Archer <ann@example.org>"))).Should().Equal([named, trailing], "a trailing comment is the display name");
        (await SearchUidsAsync(new AddressCriterion("Bcc", "archer"))).Should().BeEmpty();
        (await SearchUidsAsync(new AddressCriterion("Cc", "cole"))).Should().Equal(named, trailing);
        (await SearchUidsAsync(new AddressCriterion("From", "at work"))).Should().Equal([comments], "the header text still counts");
        (await SearchUidsAsync(new AddressCriterion("From", "ANN"))).Should().Equal(plain, named, comments, trailing, groups);
        (await SearchUidsAsync(new AddressCriterion("From", "other"))).Should().Equal(groups);
        (await SearchUidsAsync(new AddressCriterion("To", "crew"))).Should().Equal(groups);
        (await SearchUidsAsync(new AddressCriterion("To", "eve@example.org"))).Should().Equal(groups);
        (await SearchUidsAsync(new AddressCriterion("Cc", "Jörg Müller <jm@"))).Should().Equal(groups);
        (await SearchUidsAsync(new AddressCriterion("Bcc", ""))).Should().Equal([plain, named, comments, trailing], "an empty value asks for the header");
        (await SearchUidsAsync(new AddressCriterion("Cc", "ben@example.org"))).Should().BeEmpty();
        (await SearchUidsAsync(new HeaderCriterion("From", "ann@example.org"))).Should().Equal([plain, named, trailing], "HEADER matches the header text only");
        (await SearchUidsAsync(new NotCriterion(new AddressCriterion("To", "ben@example.org")))).Should().Equal(groups);
        (await SearchUidsAsync(new OrCriterion(new AddressCriterion("To", "crew:"), new AddressCriterion("From", "ann (at")))).Should().Equal(comments, groups);
    }
}
