namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes THREAD responses (RFC 5256 §5). Pure: built on the primitives of <see cref="ImapResponseWriter"/>;
/// nothing is flushed here.
/// </summary>
public static class ImapThreadWriter
{
    /// <summary>
    /// Writes <c>* THREAD</c> and the threads CRLF (RFC 5256 §5). A message with one child is followed by it
    /// (<c>(1 2 3)</c>); two or more children are each a nested list (<c>(1 (2)(3 4))</c>); a thread whose root is
    /// a dummy is the list of its children (<c>((2)(3))</c>). Dummies below a thread root have no place in the
    /// grammar: their children are written as children of the dummy's parent. Dummies without children are left out.
    /// Iterative, so any depth is safe.
    /// </summary>
    public static void WriteThread(this ImapResponseWriter writer, IReadOnlyList<ImapThreadNode> threads)
    {
        ArgumentNullException.ThrowIfNull(threads);

        // thread-data = "THREAD" [SP 1*thread-list]; the lists follow each other without spaces.
        var heads = threads.Where(t => !t.IsDummy || Visible(t.Children).Count > 0).ToList();
        writer.WriteRaw(heads.Count > 0 ? "* THREAD "u8 : "* THREAD"u8);
        var work = new Stack<(ThreadStep Step, ImapThreadNode? Node)>();
        for (var i = heads.Count - 1; i >= 0; i--)
        {
            PushList(work, heads[i]);
        }

        while (work.Count > 0)
        {
            var (step, node) = work.Pop();
            switch (step)
            {
                case ThreadStep.Open:
                    writer.WriteByte((byte)'(');
                    break;
                case ThreadStep.Close:
                    writer.WriteByte((byte)')');
                    break;
                default:
                    // thread-members = nz-number *(SP nz-number) [SP thread-nested]; thread-nested = 2*thread-list.
                    var children = Visible(node!.Children);
                    if (node.Number is { } number)
                    {
                        writer.WriteNumber(number);
                        if (children.Count > 0)
                        {
                            writer.WriteSpace();
                        }
                    }

                    if (children.Count == 1)
                    {
                        work.Push((ThreadStep.Members, children[0]));
                    }
                    else
                    {
                        for (var i = children.Count - 1; i >= 0; i--)
                        {
                            PushList(work, children[i]);
                        }
                    }

                    break;
            }
        }

        writer.WriteCrlf();

        static void PushList(Stack<(ThreadStep, ImapThreadNode?)> work, ImapThreadNode node)
        {
            work.Push((ThreadStep.Close, null));
            work.Push((ThreadStep.Members, node));
            work.Push((ThreadStep.Open, null));
        }

        // The nodes to write in place of these: a dummy stands for its children, and one without children for nothing.
        static List<ImapThreadNode> Visible(IReadOnlyList<ImapThreadNode> nodes)
        {
            var visible = new List<ImapThreadNode>(nodes.Count);
            var pending = new Stack<ImapThreadNode>();
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                pending.Push(nodes[i]);
            }

            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (!node.IsDummy)
                {
                    visible.Add(node);
                    continue;
                }

                for (var i = node.Children.Count - 1; i >= 0; i--)
                {
                    pending.Push(node.Children[i]);
                }
            }

            return visible;
        }
    }

    private enum ThreadStep
    {
        Members,
        Open,
        Close,
    }
}
