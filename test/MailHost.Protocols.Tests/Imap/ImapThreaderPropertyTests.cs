using System.Text.RegularExpressions;
using CsCheck;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

/// <summary>Random reference graphs: duplicates, loops, self references, missing parents, shared subjects.</summary>
public partial class ImapThreaderPropertyTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    // A small pool of ids makes duplicates, loops and references to unsearched messages common.
    private static readonly Gen<string?> Id = Gen.OneOf<string?>(null, "", "a@x", "b@x", "c@x", "d@x", "e@x", "f@x", "g@x");

    private static readonly Gen<ImapThreadMessage[]> Mailboxes =
        Gen.Select(
            Id,
            Id.Array[0, 6],
            Id,
            Gen.OneOf("", "S", "T", "U"),
            Gen.Bool,
            Gen.Int[0, 5],
            (id, refs, inReplyTo, subject, reply, minute) => (id, refs, inReplyTo, subject, reply, minute))
        .Array[0, 40]
        .Select(rows => rows
            .Select((r, i) => new ImapThreadMessage(
                (uint)((3 * i) + 1), r.id, r.refs.Select(x => x ?? "").ToArray(), r.inReplyTo, r.subject, r.reply, Day.AddMinutes(r.minute)))
            .ToArray());

    [Fact]
    public void References_contains_every_message_exactly_once_in_a_well_formed_sorted_forest()
    {
        Mailboxes.Sample(messages =>
        {
            var threads = ImapThreader.References(messages);
            var dates = messages.ToDictionary(m => m.Number, m => m.SentDate);
            var seen = new List<uint>();
            var pending = new Stack<(ImapThreadNode Node, bool Top)>(threads.Select(t => (t, true)));
            while (pending.Count > 0)
            {
                var (node, top) = pending.Pop();
                if (node.IsDummy)
                {
                    top.Should().BeTrue("dummies are only thread roots");
                    node.Children.Count.Should().BeGreaterThanOrEqualTo(2, "a dummy with fewer children is pruned");
                }
                else
                {
                    seen.Add(node.Number!.Value);
                    seen.Count.Should().BeLessThanOrEqualTo(messages.Length, "a cycle would repeat messages");
                }

                IsAscending(node.Children, dates).Should().BeTrue("siblings are sorted by sent date, then number");
                foreach (var child in node.Children)
                {
                    pending.Push((child, false));
                }
            }

            IsAscending(threads, dates).Should().BeTrue();
            seen.Order().Should().Equal(messages.Select(m => m.Number));
        }, iter: 2000);
    }

    [Fact]
    public void References_does_not_depend_on_the_order_messages_are_given_in()
    {
        Mailboxes.Sample(messages =>
        {
            var forward = ImapThreaderTests.Format(ImapThreader.References(messages));
            ImapThreaderTests.Format(ImapThreader.References(Enumerable.Reverse(messages))).Should().Be(forward);
        }, iter: 1000);
    }

    [Fact]
    public void The_response_lists_every_number_once_and_is_balanced()
    {
        Mailboxes.Sample(messages =>
        {
            foreach (var threads in new[] { ImapThreader.References(messages), ImapThreader.OrderedSubject(messages) })
            {
                var line = ImapThreaderTests.Format(threads);
                line.Should().NotContain("()").And.NotContain(" )").And.NotContain("( ");
                var depth = 0;
                foreach (var c in line)
                {
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                    depth.Should().BeGreaterThanOrEqualTo(0);
                }

                depth.Should().Be(0);
                Number().Matches(line).Select(m => uint.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture))
                    .Order().Should().Equal(messages.Select(m => m.Number));
            }
        }, iter: 1000);
    }

    [Fact]
    public void References_keeps_every_link_between_messages_that_a_plain_reading_of_step_1_makes()
    {
        // Steps 3 to 6 only remove dummies and move thread roots, so a message whose step 1 parent is a message
        // keeps that parent. The model below is step 1 read literally, with the loop check as a walk to the root.
        Mailboxes.Sample(messages =>
        {
            var expected = StepOneParents(messages);
            var actual = new Dictionary<uint, uint>();
            var pending = new Stack<ImapThreadNode>(ImapThreader.References(messages));
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                foreach (var child in node.Children)
                {
                    if (node.Number is { } parent && child.Number is { } number)
                    {
                        actual[number] = parent;
                    }

                    pending.Push(child);
                }
            }

            foreach (var (number, parent) in expected)
            {
                actual.GetValueOrDefault(number).Should().Be(parent, $"message {number} replies to message {parent}");
            }
        }, iter: 2000);
    }

    private static Dictionary<uint, uint> StepOneParents(IEnumerable<ImapThreadMessage> messages)
    {
        var byId = new Dictionary<string, Model>(StringComparer.Ordinal);
        var all = new List<Model>();
        Model ForId(string id)
        {
            if (!byId.TryGetValue(id, out var model))
            {
                byId[id] = model = new Model();
            }

            return model;
        }

        static bool Loop(Model parent, Model child)
        {
            for (var node = parent; node is not null; node = node.Parent)
            {
                if (node == child)
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var message in messages.OrderBy(m => m.Number))
        {
            var current = !string.IsNullOrEmpty(message.MessageId) && ForId(message.MessageId).Message is null ? ForId(message.MessageId) : new Model();
            current.Message = message;
            all.Add(current);
            var references = message.References.Where(r => r.Length > 0).ToList();
            if (references.Count == 0 && !string.IsNullOrEmpty(message.InReplyTo))
            {
                references.Add(message.InReplyTo);
            }

            Model? previous = null;
            foreach (var reference in references)
            {
                var model = ForId(reference);
                if (previous is not null && model.Parent is null && !Loop(previous, model))
                {
                    model.Parent = previous;
                }

                previous = model;
            }

            current.Parent = null;
            if (previous is not null && !Loop(previous, current))
            {
                current.Parent = previous;
            }
        }

        return all.Where(m => m.Parent?.Message is not null).ToDictionary(m => m.Message!.Number, m => m.Parent!.Message!.Number);
    }

    private static bool IsAscending(IReadOnlyList<ImapThreadNode> nodes, Dictionary<uint, DateTimeOffset> dates)
    {
        (DateTimeOffset, uint)? previous = null;
        foreach (var node in nodes)
        {
            var first = node;
            while (first.IsDummy)
            {
                first = first.Children[0];
            }

            var key = (dates[first.Number!.Value], first.Number!.Value);
            if (previous is { } p && p.CompareTo(key) > 0)
            {
                return false;
            }

            previous = key;
        }

        return true;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Number();

    private sealed class Model
    {
        public ImapThreadMessage? Message { get; set; }

        public Model? Parent { get; set; }
    }
}
