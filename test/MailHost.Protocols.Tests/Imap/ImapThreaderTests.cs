using System.Buffers;
using System.Text;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

public class ImapThreaderTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A message numbered <paramref name="n"/>, sent <paramref name="n"/> minutes after the base date unless told.</summary>
    private static ImapThreadMessage M(
        uint n,
        string? id = null,
        string[]? refs = null,
        string? inReplyTo = null,
        string subject = "",
        bool reply = false,
        int? minute = null)
        => new(n, id, refs ?? [], inReplyTo, subject, reply, Day.AddMinutes(minute ?? (int)n));

    /// <summary>The threads as the response carries them, without <c>* THREAD </c> and CRLF.</summary>
    internal static string Format(IReadOnlyList<ImapThreadNode> threads)
    {
        var output = new ArrayBufferWriter<byte>();
        new ImapResponseWriter(output).WriteThread(threads);
        var line = Encoding.ASCII.GetString(output.WrittenSpan);
        line.Should().EndWith("\r\n");
        return line.StartsWith("* THREAD ", StringComparison.Ordinal) ? line[9..^2] : line[..^2];
    }

    private static string References(params ImapThreadMessage[] messages) => Format(ImapThreader.References(messages));

    [Fact]
    public void Nothing_searched_is_an_empty_THREAD_response()
    {
        ImapThreader.References([]).Should().BeEmpty();
        Format([]).Should().Be("* THREAD");
    }

    [Fact]
    public void RFC_5256_section_4_example_tree_comes_from_references()
    {
        // RFC 5256 §4: "(2)(3 6 (4 23)(44 7 96))": 3 has one child 6, which has two children, 4 (then 23) and 44
        // (then 7, then 96).
        References(
            M(2, "m2@x", subject: "OTHER"),
            M(3, "m3@x", subject: "TOPIC"),
            M(4, "m4@x", ["m3@x", "m6@x"], subject: "TOPIC", reply: true),
            M(6, "m6@x", ["m3@x"], subject: "TOPIC", reply: true),
            M(7, "m7@x", ["m3@x", "m6@x", "m44@x"], subject: "TOPIC", reply: true),
            M(23, "m23@x", ["m3@x", "m6@x", "m4@x"], subject: "TOPIC", reply: true),
            M(44, "m44@x", ["m3@x", "m6@x"], subject: "TOPIC", reply: true),
            M(96, "m96@x", ["m3@x", "m6@x", "m44@x", "m7@x"], subject: "TOPIC", reply: true))
            .Should().Be("(2)(3 6 (4 23)(44 7 96))");
    }

    [Fact]
    public void RFC_5256_section_4_dummy_example_has_two_children_of_an_unseen_parent()
    {
        // RFC 5256 §4: "((3)(5))": 3 and 5 reply to a message that was not searched.
        References(M(3, "a@x", ["gone@x"], subject: "S"), M(5, "b@x", ["gone@x"], subject: "T"))
            .Should().Be("((3)(5))");
    }

    [Fact]
    public void A_reply_chain_is_one_line_of_numbers()
    {
        References(M(1, "a@x"), M(2, "b@x", ["a@x"]), M(3, "c@x", ["a@x", "b@x"]))
            .Should().Be("(1 2 3)");
    }

    [Fact]
    public void A_single_child_of_a_missing_parent_becomes_a_thread_of_its_own()
    {
        // Step 3: a dummy's children reach the top level only when there is just one.
        References(M(1, "a@x", ["gone@x"], subject: "S"), M(2, "b@x", subject: "T")).Should().Be("(1)(2)");
    }

    [Fact]
    public void A_missing_message_inside_a_thread_is_pruned_and_its_children_move_up()
    {
        // 3 replies to "lost", which replied to 1: the dummy for "lost" goes, 3 becomes 1's child.
        References(M(1, "a@x"), M(2, "b@x", subject: "X"), M(3, "c@x", ["a@x", "lost@x"]))
            .Should().Be("(1 3)(2)");
    }

    [Fact]
    public void Nested_missing_messages_are_pruned_level_by_level()
    {
        // gone1 -> gone2 -> {1, 2}: the lower dummy's children join the upper dummy, which stays with two children.
        References(M(1, "a@x", ["gone1@x", "gone2@x"], subject: "S"), M(2, "b@x", ["gone1@x", "gone2@x"], subject: "T"))
            .Should().Be("((1)(2))");
    }

    [Fact]
    public void In_Reply_To_is_the_parent_only_without_valid_References()
    {
        References(M(1, "a@x", subject: "A"), M(2, "b@x", subject: "B"), M(3, "c@x", inReplyTo: "b@x", subject: "C"), M(4, "d@x", ["a@x"], inReplyTo: "b@x", subject: "D"))
            .Should().Be("(1 4)(2 3)");
        References(M(1, "a@x", subject: "A"), M(2, "b@x", [""], inReplyTo: "a@x", subject: "B"))
            .Should().Be("(1 2)");
    }

    [Fact]
    public void Messages_without_a_Message_ID_are_threaded_by_their_references_only()
    {
        References(M(1, null, subject: "A"), M(2, null, inReplyTo: "x@y", subject: "B"), M(3, null, subject: "C"), M(4, "", ["a@x"], subject: "D"))
            .Should().Be("(1)(2)(3)(4)");
        References(M(1, "a@x", subject: "A"), M(2, null, ["a@x"], subject: "B"), M(3, null, ["a@x"], subject: "C"))
            .Should().Be("(1 (2)(3))");
    }

    [Fact]
    public void A_duplicated_Message_ID_belongs_to_the_first_message()
    {
        // Step 1A: the later duplicate gets a unique id; a reference names the first message.
        References(M(1, "dup@x", subject: "A"), M(2, "dup@x", subject: "B"), M(3, "c@x", ["dup@x"], subject: "C"))
            .Should().Be("(1 3)(2)");
        References(M(2, "dup@x", subject: "B"), M(3, "c@x", ["dup@x"], subject: "C"), M(1, "dup@x", subject: "A"))
            .Should().Be("(1 3)(2)", "the lowest number wins whatever order the messages arrive in");
    }

    [Fact]
    public void A_duplicated_Message_ID_that_an_earlier_message_referenced_fills_the_dummy_once()
    {
        References(M(1, "c@x", ["dup@x"], subject: "C"), M(2, "dup@x", subject: "A"), M(3, "dup@x", subject: "B"))
            .Should().Be("(2 1)(3)");
    }

    [Fact]
    public void An_existing_link_is_kept_when_a_later_header_disagrees()
    {
        // Step 1A: c already has parent a; 4's References say b is c's parent, which is ignored; 4 itself is c's child.
        References(M(1, "a@x", subject: "A"), M(2, "b@x", subject: "B"), M(3, "c@x", ["a@x"], subject: "A", reply: true), M(4, "d@x", ["b@x", "c@x"], subject: "A", reply: true))
            .Should().Be("(1 3 4)(2)");
    }

    [Fact]
    public void Step_1B_replaces_a_link_made_from_a_truncated_References_header()
    {
        // 2 says a -> c -> 2, but c itself says its parent is z: c's own header wins.
        References(M(1, "a@x", subject: "A"), M(2, "b@x", ["a@x", "c@x"], subject: "C", reply: true), M(3, "c@x", ["z@x"], subject: "C"))
            .Should().Be("(1)(3 2)");
    }

    [Fact]
    public void A_message_that_has_no_references_loses_a_parent_an_earlier_header_gave_it()
    {
        // Step 1B: "if this message has no references, it will now have no parent".
        References(M(1, "a@x", subject: "A"), M(2, "b@x", ["a@x", "c@x"], subject: "B"), M(3, "c@x", subject: "C"))
            .Should().Be("(1)(3 2)");
    }

    [Fact]
    public void A_reference_loop_is_broken_and_every_message_appears_once()
    {
        // 1 says b is its parent; 2 (b) says 1 is its parent: the second link would close a loop and is not made.
        References(M(1, "a@x", ["b@x"], subject: "A"), M(2, "b@x", ["a@x"], subject: "B")).Should().Be("(2 1)");

        // A message that references itself, and a header that goes round in a circle.
        References(M(1, "a@x", ["a@x"])).Should().Be("(1)");
        References(M(1, "a@x", ["b@x", "c@x", "b@x", "a@x"], subject: "A"), M(2, "b@x", subject: "B"), M(3, "c@x", ["b@x"], subject: "C"))
            .Should().Be("(1)(2 3)", "1's last reference is itself, so it has no parent");
    }

    [Fact]
    public void A_three_message_loop_across_headers_terminates()
    {
        References(M(1, "a@x", ["c@x"], subject: "A"), M(2, "b@x", ["a@x"], subject: "B"), M(3, "c@x", ["b@x"], subject: "C"))
            .Should().Be("(3 1 2)");
    }

    [Fact]
    public void Threads_with_the_same_base_subject_are_gathered_under_a_dummy()
    {
        // Step 5C: neither is a reply, so both become children of a new dummy.
        References(M(1, "a@x", subject: "LUNCH"), M(2, "b@x", subject: "LUNCH")).Should().Be("((1)(2))");
    }

    [Fact]
    public void A_reply_by_subject_becomes_a_child_of_the_original()
    {
        // "Re: Lunch" without References: a child of "Lunch" (step 5C), whichever was sent first.
        References(M(1, "a@x", subject: "LUNCH"), M(2, "b@x", subject: "LUNCH", reply: true)).Should().Be("(1 2)");
        References(M(1, "a@x", subject: "LUNCH", reply: true), M(2, "b@x", subject: "LUNCH")).Should().Be("(2 1)");
    }

    [Fact]
    public void Replies_by_subject_alone_share_a_dummy()
    {
        References(M(1, "a@x", subject: "LUNCH", reply: true), M(2, "b@x", subject: "LUNCH", reply: true)).Should().Be("((1)(2))");
    }

    [Fact]
    public void A_dummy_thread_takes_in_messages_and_dummies_of_the_same_subject()
    {
        // 1 and 2 reply to a missing message (a dummy at the top level); 3 has the same subject; 4 and 5 form a
        // second dummy thread with that subject. All gather under the first dummy.
        References(
            M(1, "a@x", ["gone@x"], subject: "S", reply: true),
            M(2, "b@x", ["gone@x"], subject: "S", reply: true),
            M(3, "c@x", subject: "S"),
            M(4, "d@x", ["gone2@x"], subject: "S", reply: true),
            M(5, "e@x", ["gone2@x"], subject: "S", reply: true))
            .Should().Be("((1)(2)(3)(4)(5))");
    }

    [Fact]
    public void Messages_with_an_empty_subject_are_not_gathered()
    {
        References(M(1, "a@x", subject: ""), M(2, "b@x", subject: "")).Should().Be("(1)(2)");
    }

    [Fact]
    public void Gathering_by_subject_keeps_replies_that_References_placed()
    {
        // 2 replies to 1 by References; 3 is a reply by subject only and joins 1's thread as 1's child.
        References(M(1, "a@x", subject: "S"), M(2, "b@x", ["a@x"], subject: "S", reply: true), M(3, "c@x", subject: "S", reply: true))
            .Should().Be("(1 (2)(3))");
    }

    [Fact]
    public void Siblings_are_sorted_by_sent_date_then_by_number()
    {
        References(
            M(1, "a@x", subject: "A", minute: 50),
            M(2, "b@x", ["a@x"], subject: "A", minute: 70),
            M(3, "c@x", ["a@x"], subject: "A", minute: 60),
            M(4, "d@x", ["a@x"], subject: "A", minute: 60),
            M(5, "e@x", subject: "B", minute: 10),
            M(6, "f@x", subject: "C", minute: 50))
            .Should().Be("(5)(1 (3)(4)(2))(6)");
    }

    [Fact]
    public void A_dummy_thread_sorts_by_its_earliest_child()
    {
        References(
            M(1, "a@x", subject: "A", minute: 30),
            M(2, "b@x", ["gone@x"], subject: "B", minute: 40),
            M(3, "c@x", ["gone@x"], subject: "C", minute: 20))
            .Should().Be("((3)(2))(1)");
    }

    [Fact]
    public void Sent_dates_compare_as_instants_not_as_local_times()
    {
        var early = new ImapThreadMessage(1, "a@x", [], null, "A", false, new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(5)));
        var late = new ImapThreadMessage(2, "b@x", [], null, "B", false, new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero));
        References(late, early).Should().Be("(1)(2)");
    }

    [Fact]
    public void A_chain_of_100000_replies_needs_no_deep_stack()
    {
        var messages = new List<ImapThreadMessage>();
        for (uint n = 1; n <= 100_000; n++)
        {
            messages.Add(M(n, $"m{n}@x", n == 1 ? [] : [$"m{n - 1}@x"], subject: "S", reply: n > 1));
        }

        var threads = ImapThreader.References(messages);
        threads.Should().ContainSingle();
        var line = Format(threads);
        line.Should().StartWith("(1 2 3 ").And.EndWith(" 99999 100000)");
    }

    [Fact]
    public void A_fan_out_of_replies_that_each_branch_needs_no_deep_stack()
    {
        // Each message has two children: a leaf and the next message, so the nesting is as deep as the mailbox.
        var messages = new List<ImapThreadMessage>();
        for (uint n = 1; n <= 20_000; n++)
        {
            messages.Add(M(2 * n, $"m{n}@x", n == 1 ? [] : [$"m{n - 1}@x"], subject: "S"));
            messages.Add(M((2 * n) + 1, $"leaf{n}@x", [$"m{n}@x"], subject: "S"));
        }

        var line = Format(ImapThreader.References(messages));
        line.Should().StartWith("(2 (3)(4 (5)(6 (7)(8 ").And.EndWith("(40000 40001" + new string(')', 20_000));
    }

    [Fact]
    public void ORDEREDSUBJECT_groups_by_subject_with_the_earliest_as_parent()
    {
        // RFC 5256 §3 ORDEREDSUBJECT, and the same writer as REFERENCES.
        Format(ImapThreader.OrderedSubject(
            [
                M(1, subject: "LUNCH", minute: 3),
                M(2, subject: "LUNCH", minute: 5),
                M(3, subject: "BUDGET", minute: 1),
                M(4, subject: "LUNCH", minute: 4),
                M(5, subject: "PARTY", minute: 9),
                M(6, subject: "PARTY", minute: 9),
            ])).Should().Be("(3)(1 (4)(2))(5 6)");
    }

    [Fact]
    public void Hostile_references_that_keep_asking_about_loops_cost_little()
    {
        const int Chain = 10_000;
        var messages = new List<ImapThreadMessage>();
        for (uint n = 1; n <= Chain; n++)
        {
            messages.Add(new(n, $"m{n}@x", n == 1 ? [] : [$"m{n - 1}@x"], null, "S", false, Day));
        }

        for (uint n = 1; n <= Chain; n++)
        {
            // Each pair asks whether the chain's root may become a child of a deep message (a loop), with links in between.
            var refs = new List<string>();
            for (var k = 0; k < 25; k++)
            {
                refs.AddRange([$"m{Chain - k - (n % 50)}@x", "m1@x", $"x{n}.{k}@y", $"y{n}.{k}@y"]);
            }

            messages.Add(new(Chain + n, $"h{n}@x", refs, null, "S", false, Day));
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var threads = ImapThreader.References(messages);
        watch.Stop();
        threads.Should().ContainSingle("everything hangs from m1");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "quadratic loop checks take minutes here; the bound leaves room for a loaded machine");
    }
}
