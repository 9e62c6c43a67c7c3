using MailHost.Storage;
using MailHost.Storage.Common;

namespace MailHost.Tests.Storage.Common;

public sealed class MailboxTreeRulesTests
{
    private static readonly MailStoreLimits Limits = MailStoreLimits.Default;

    private static List<MailboxEntry> Tree(params string[] names) =>
        [.. names.Select(n => n.EndsWith('!') ? new MailboxEntry(n[..^1], MailboxAttributes.None, Noselect: true) : new MailboxEntry(n, MailboxAttributes.None, Noselect: false))];

    [Fact]
    public void Create_adds_the_missing_superior_levels_first()
    {
        var plan = MailboxTreeRules.PlanCreate(Tree("INBOX", "a"), "a/b/c", MailboxAttributes.None, Limits);

        plan.Value.Should().Equal(
            new MailboxStep.Create("a/b", MailboxAttributes.None, false),
            new MailboxStep.Create("a/b/c", MailboxAttributes.None, false));
    }

    [Fact]
    public void Create_of_an_existing_mailbox_is_refused_and_a_placeholder_is_replaced()
    {
        MailboxTreeRules.PlanCreate(Tree("INBOX", "a"), "a", MailboxAttributes.None, Limits).Error!.Code.Should().Be(StoreErrorCode.AlreadyExists);

        var plan = MailboxTreeRules.PlanCreate(Tree("INBOX", "a!", "a/b"), "a", MailboxAttributes.Drafts, Limits);

        plan.Value.Should().Equal(new MailboxStep.Remove("a"), new MailboxStep.Create("a", MailboxAttributes.Drafts, false));
    }

    [Fact]
    public void Create_counts_only_the_mailboxes_it_adds_against_the_limit()
    {
        var limits = MailStoreLimits.Default with { MaxMailboxesPerAccount = 3 };

        MailboxTreeRules.PlanCreate(Tree("INBOX", "a"), "a/b", MailboxAttributes.None, limits).IsSuccess.Should().BeTrue();
        MailboxTreeRules.PlanCreate(Tree("INBOX", "a"), "b/c", MailboxAttributes.None, limits).Error!.Code.Should().Be(StoreErrorCode.LimitExceeded);
    }

    [Fact]
    public void Create_refuses_attributes_that_are_not_special_use()
    {
        MailboxTreeRules.CheckCreate("x", MailboxAttributes.Noselect, Limits).Error!.Code.Should().Be(StoreErrorCode.InvalidArgument);
        MailboxTreeRules.CheckCreate("inbox/x", MailboxAttributes.Sent, Limits).Value.Should().Be("INBOX/x");
    }

    [Fact]
    public void Delete_refuses_INBOX_and_missing_mailboxes()
    {
        MailboxTreeRules.CheckDelete("inbox", Limits).Error!.Code.Should().Be(StoreErrorCode.NotAllowed);
        MailboxTreeRules.PlanDelete(Tree("INBOX"), "a").Error!.Code.Should().Be(StoreErrorCode.NotFound);
    }

    [Fact]
    public void Delete_of_a_mailbox_with_children_leaves_a_noselect_placeholder()
    {
        MailboxTreeRules.PlanDelete(Tree("INBOX", "a", "a/b"), "a").Value.Should().Equal(
            new MailboxStep.Remove("a"),
            new MailboxStep.Create("a", MailboxAttributes.None, true));
        MailboxTreeRules.PlanDelete(Tree("INBOX", "a", "a/b"), "a/b").Value.Should().Equal(new MailboxStep.Remove("a/b"));
    }

    [Fact]
    public void Delete_of_a_placeholder_with_children_is_refused()
    {
        MailboxTreeRules.PlanDelete(Tree("INBOX", "a!", "a/b"), "a").Error!.Code.Should().Be(StoreErrorCode.HasChildren);
        MailboxTreeRules.PlanDelete(Tree("INBOX", "a!"), "a").Value.Should().Equal(new MailboxStep.Remove("a"));
    }

    [Fact]
    public void Rename_moves_the_subtree_and_its_subscriptions_and_creates_superiors()
    {
        var plan = MailboxTreeRules.PlanRename(Tree("INBOX", "a", "a/b", "ab"), ["a/b", "ab", "gone"], "a", "x/y");

        plan.Value.Should().Equal(
            new MailboxStep.Create("x", MailboxAttributes.None, false),
            new MailboxStep.Rename("a", "x/y"),
            new MailboxStep.Rename("a/b", "x/y/b"),
            new MailboxStep.RenameSubscription("a/b", "x/y/b"));
    }

    [Fact]
    public void Rename_of_INBOX_moves_its_messages_and_leaves_it_with_its_children()
    {
        var plan = MailboxTreeRules.PlanRename(Tree("INBOX", "INBOX/kept"), ["INBOX"], "INBOX", "old");

        plan.Value.Should().Equal(new MailboxStep.Create("old", MailboxAttributes.None, false), new MailboxStep.MoveMessages("INBOX", "old"));
    }

    [Fact]
    public void Rename_refuses_taken_names_itself_and_below_itself()
    {
        MailboxTreeRules.PlanRename(Tree("INBOX", "a", "b"), [], "a", "b").Error!.Code.Should().Be(StoreErrorCode.AlreadyExists);
        MailboxTreeRules.PlanRename(Tree("INBOX", "a", "b!"), [], "a", "b").Error!.Code.Should().Be(StoreErrorCode.AlreadyExists);
        MailboxTreeRules.PlanRename(Tree("INBOX", "a", "c/d"), [], "a", "c").IsSuccess.Should().BeFalse();
        MailboxTreeRules.PlanRename(Tree("INBOX"), [], "a", "b").Error!.Code.Should().Be(StoreErrorCode.NotFound);
        MailboxTreeRules.CheckRename("a", "a/b", Limits).Error!.Code.Should().Be(StoreErrorCode.NotAllowed);
        MailboxTreeRules.CheckRename("a", "a", Limits).Error!.Code.Should().Be(StoreErrorCode.NotAllowed);
    }

    [Fact]
    public void List_sorts_and_derives_children_noselect_subscribed_and_special_use()
    {
        var entries = new List<MailboxEntry>
        {
            new("b", MailboxAttributes.None, false),
            new("a/c", MailboxAttributes.None, false),
            new("a", MailboxAttributes.None, true),
            new("Sent", MailboxAttributes.Sent, false),
        };

        var list = MailboxTreeRules.List(entries, new HashSet<string>(["b", "Sent"]));

        list.Should().Equal(
            new MailboxInfo("Sent", MailboxAttributes.Sent | MailboxAttributes.HasNoChildren | MailboxAttributes.Subscribed),
            new MailboxInfo("a", MailboxAttributes.Noselect | MailboxAttributes.HasChildren),
            new MailboxInfo("a/c", MailboxAttributes.HasNoChildren),
            new MailboxInfo("b", MailboxAttributes.HasNoChildren | MailboxAttributes.Subscribed));
    }
}
