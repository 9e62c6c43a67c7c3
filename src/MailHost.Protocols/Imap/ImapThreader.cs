namespace MailHost.Protocols.Imap;

/// <summary>
/// The THREAD algorithms of RFC 5256 §3 (ORDEREDSUBJECT, REFERENCES) over facts already taken from the messages.
/// Every walk over the trees is iterative, so a reply chain of any length costs heap, not stack.
/// </summary>
public static class ImapThreader
{
    /// <summary>
    /// RFC 5256 §3 ORDEREDSUBJECT: messages grouped by base subject; in each group, sorted by sent date, the first
    /// message is the parent of all the others; the threads are ordered by the sent date of their first message.
    /// Ties keep mailbox order.
    /// </summary>
    /// <returns>The threads in response order; every message appears exactly once.</returns>
    public static IReadOnlyList<ImapThreadNode> OrderedSubject(IEnumerable<ImapThreadMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages
            .GroupBy(m => m.BaseSubject, StringComparer.Ordinal)
            .Select(g => g.OrderBy(m => m.SentDate).ThenBy(m => m.Number).ToList())
            .OrderBy(t => t[0].SentDate).ThenBy(t => t[0].Number)
            .Select(t => new ImapThreadNode(t[0].Number, t.Skip(1).Select(m => new ImapThreadNode(m.Number, [])).ToList()))
            .ToList();
    }

    /// <summary>
    /// RFC 5256 §3 REFERENCES, steps 1 to 6: parent/child links from References (or the first In-Reply-To id),
    /// dummies for referenced messages that were not searched, pruning, grouping of threads by base subject, and
    /// siblings sorted by sent date (ties in mailbox order).
    /// </summary>
    /// <returns>
    /// The threads in response order. Every message appears exactly once; dummies appear only as thread roots and
    /// always have two or more children.
    /// </returns>
    /// <remarks>
    /// Loop prevention looks up the would-be parent's root, only when the would-be child has children of its own, and
    /// with cached shortcuts, so the usual case (a reply to an earlier message) costs nothing and hostile headers
    /// that keep asking about one deep chain stay cheap.
    /// </remarks>
    public static IReadOnlyList<ImapThreadNode> References(IEnumerable<ImapThreadMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var root = new Container();
        var containers = Link(messages);

        // Step 2: the messages without a parent are the heads of the threads found so far.
        foreach (var container in containers)
        {
            container.TakeChildren();
        }

        foreach (var container in containers)
        {
            if (container.Parent is null)
            {
                container.Parent = root;
                root.Kids.Add(container);
            }
        }

        Prune(root);

        // Step 4: the top level by sent date; a dummy sorts by its first child once its children are sorted.
        foreach (var head in root.Kids)
        {
            if (head.IsDummy)
            {
                head.Kids.Sort(Compare);
            }
        }

        root.Kids.Sort(Compare);
        GroupBySubject(root);

        // Step 6: every set of siblings by sent date, the deepest first, so a dummy's first child is known when it sorts.
        foreach (var container in PostOrder(root))
        {
            container.Kids.Sort(Compare);
        }

        return ToNodes(root);
    }

    /// <summary>Step 1: a container per Message ID (or per message without a usable one), linked parent to child.</summary>
    private static List<Container> Link(IEnumerable<ImapThreadMessage> messages)
    {
        var byId = new Dictionary<string, Container>(StringComparer.Ordinal);
        var containers = new List<Container>();
        var forest = new Forest();
        Container ForId(string id)
        {
            if (!byId.TryGetValue(id, out var container))
            {
                container = new Container();
                byId.Add(id, container);
                containers.Add(container);
            }

            return container;
        }

        // The first (lowest numbered) message keeps a duplicated Message ID.
        foreach (var message in messages.OrderBy(m => m.Number))
        {
            Container current;
            if (!string.IsNullOrEmpty(message.MessageId) && ForId(message.MessageId) is { Message: null } byMessageId)
            {
                // It may be a dummy already, made when an earlier message referenced this one.
                current = byMessageId;
            }
            else
            {
                // RFC 5256 §2.2 step 1A: no valid Message ID, or a duplicate: a unique id nobody can reference.
                current = new Container();
                containers.Add(current);
            }

            current.Message = message;

            // §2.2: the References ids; when there is no valid one, the first valid In-Reply-To id is the only reference.
            var references = message.References;
            if (!references.Any(r => !string.IsNullOrEmpty(r)))
            {
                references = string.IsNullOrEmpty(message.InReplyTo) ? [] : [message.InReplyTo];
            }

            // Step 1A: each reference is the parent of the next, unless the next already has a parent (the header may
            // have been truncated) or the link would make a loop.
            Container? previous = null;
            foreach (var reference in references)
            {
                if (string.IsNullOrEmpty(reference))
                {
                    continue;
                }

                var container = ForId(reference);
                if (previous is not null && container.Parent is null)
                {
                    forest.TryLink(previous, container);
                }

                previous = container;
            }

            // Step 1B: the last reference is the parent of this message, replacing a link made by a truncated header.
            if (current.Parent is not null)
            {
                forest.Cut(current);
            }

            if (previous is not null)
            {
                forest.TryLink(previous, current);
            }
        }

        return containers;
    }

    /// <summary>
    /// Step 3: dummies without children go; a dummy's children take its place, except that children are promoted
    /// to the top level only when the dummy has just one. Children are pruned before their parent.
    /// </summary>
    private static void Prune(Container root)
    {
        foreach (var container in PostOrder(root))
        {
            var atRoot = container == root;
            var kept = new List<Container>(container.Kids.Count);
            foreach (var kid in container.Kids)
            {
                if (!kid.IsDummy)
                {
                    kept.Add(kid);
                }
                else if (kid.Kids.Count == 0)
                {
                    kid.Parent = null;
                }
                else if (!atRoot || kid.Kids.Count == 1)
                {
                    foreach (var grandchild in kid.Kids)
                    {
                        grandchild.Parent = container;
                        kept.Add(grandchild);
                    }

                    kid.Kids.Clear();
                    kid.Parent = null;
                }
                else
                {
                    kept.Add(kid);
                }
            }

            container.Kids = kept;
        }
    }

    /// <summary>Step 5: threads whose subjects match are gathered under one parent.</summary>
    private static void GroupBySubject(Container root)
    {
        // Step 5B: one thread per subject; a dummy wins over a message, and a message that is not a reply or
        // forward wins over one that is.
        var table = new Dictionary<string, Container>(StringComparer.Ordinal);
        foreach (var head in root.Kids)
        {
            var subject = ThreadSubject(head);
            if (subject.Length == 0)
            {
                continue;
            }

            if (!table.TryGetValue(subject, out var listed))
            {
                table.Add(subject, listed = head);
            }
            else if (listed.Message is { } listedMessage && (head.IsDummy || (listedMessage.IsReplyOrForward && !head.Message!.IsReplyOrForward)))
            {
                table[subject] = head;
            }
        }

        // Step 5C: merge each thread into the one listed for its subject.
        var heads = root.Kids;
        var created = new List<Container>();
        foreach (var head in heads)
        {
            if (head.Parent != root)
            {
                // Already merged into another thread.
                continue;
            }

            var subject = ThreadSubject(head);
            if (subject.Length == 0)
            {
                continue;
            }

            var listed = table[subject];
            if (listed == head)
            {
                continue;
            }

            if (listed.IsDummy && head.IsDummy)
            {
                foreach (var kid in head.Kids)
                {
                    kid.Parent = listed;
                    listed.Kids.Add(kid);
                }

                head.Kids.Clear();
                head.Parent = null;
            }
            else if (listed.IsDummy || (head.Message!.IsReplyOrForward && !listed.Message!.IsReplyOrForward))
            {
                head.Parent = listed;
                listed.Kids.Add(head);
            }
            else
            {
                var dummy = new Container { Parent = root };
                listed.Parent = dummy;
                head.Parent = dummy;
                dummy.Kids.Add(listed);
                dummy.Kids.Add(head);
                created.Add(dummy);
                table[subject] = dummy;
            }
        }

        // Rebuilt once rather than edited per merge, which would cost a scan of the top level each time.
        root.Kids = [.. heads.Where(h => h.Parent == root), .. created.Where(d => d.Parent == root)];
    }

    /// <summary>Step 5B(i): the base subject of the message, or of a dummy's first child.</summary>
    private static string ThreadSubject(Container container) => FirstMessage(container).BaseSubject;

    private static ImapThreadMessage FirstMessage(Container container)
    {
        while (container.Message is null)
        {
            container = container.Kids[0];
        }

        return container.Message;
    }

    /// <summary>RFC 5256 §2.2: by sent date, then mailbox order; a dummy by its first child.</summary>
    private static int Compare(Container a, Container b)
    {
        var x = FirstMessage(a);
        var y = FirstMessage(b);
        var byDate = x.SentDate.CompareTo(y.SentDate);
        return byDate != 0 ? byDate : x.Number.CompareTo(y.Number);
    }

    /// <summary>Every container under <paramref name="root"/> (and the root last), each after all of its descendants.</summary>
    private static List<Container> PostOrder(Container root)
    {
        var order = new List<Container>();
        var stack = new Stack<Container>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var container = stack.Pop();
            order.Add(container);
            foreach (var kid in container.Kids)
            {
                stack.Push(kid);
            }
        }

        order.Reverse();
        return order;
    }

    private static List<ImapThreadNode> ToNodes(Container root)
    {
        foreach (var container in PostOrder(root))
        {
            if (container == root)
            {
                break;
            }

            var children = new List<ImapThreadNode>(container.Kids.Count);
            foreach (var kid in container.Kids)
            {
                children.Add(kid.Node!);
            }

            container.Node = new ImapThreadNode(container.Message?.Number, children);
        }

        return root.Kids.ConvertAll(k => k.Node!);
    }

    /// <summary>
    /// The links of step 1 with loop prevention. A link is only ever made to a container without a parent (step 1A
    /// checks, step 1B cuts first), so it closes a loop exactly when the would-be parent's root is the would-be
    /// child. Roots are found with cached shortcuts, path-compressed as in union-find: a cached root stays an
    /// ancestor while links are only added, so the cache is dropped only when a link is cut (at most once per
    /// message). Hostile References that ask about the same deep chain again and again cost little.
    /// </summary>
    private sealed class Forest
    {
        private readonly List<Container> _path = [];
        private int _cuts;

        /// <summary>Makes <paramref name="parent"/> the parent of the root <paramref name="child"/> unless that closes a loop.</summary>
        public void TryLink(Container parent, Container child)
        {
            System.Diagnostics.Debug.Assert(child.Parent is null, "only a root is linked");

            // Nothing descends from a child without children, so only the child itself could be the parent.
            if (parent == child || (child.FirstChild is not null && FindRoot(parent) == child))
            {
                return;
            }

            parent.AddChild(child);
        }

        public void Cut(Container child)
        {
            child.Parent!.RemoveChild(child);
            _cuts++;
        }

        private Container FindRoot(Container start)
        {
            _path.Clear();
            var node = start;
            while (node.Parent is { } parent)
            {
                _path.Add(node);
                node = node.RootEpoch == _cuts && node.CachedRoot is { } cached ? cached : parent;
            }

            foreach (var visited in _path)
            {
                visited.CachedRoot = node;
                visited.RootEpoch = _cuts;
            }

            return node;
        }
    }

    /// <summary>
    /// A message or a dummy. While linking (step 1), children are a linked list so a link breaks in constant time;
    /// afterwards they are a list.
    /// </summary>
    private sealed class Container
    {
        public ImapThreadMessage? Message { get; set; }

        public bool IsDummy => Message is null;

        public Container? Parent { get; set; }

        public Container? FirstChild { get; private set; }

        public List<Container> Kids { get; set; } = [];

        public ImapThreadNode? Node { get; set; }

        /// <summary>An ancestor that was a root when found, valid while <see cref="RootEpoch"/> equals the number of cuts.</summary>
        public Container? CachedRoot { get; set; }

        public int RootEpoch { get; set; } = -1;

        private Container? LastChild { get; set; }

        private Container? Previous { get; set; }

        private Container? Next { get; set; }

        public void AddChild(Container child)
        {
            child.Parent = this;
            child.Previous = LastChild;
            child.Next = null;
            if (LastChild is null)
            {
                FirstChild = child;
            }
            else
            {
                LastChild.Next = child;
            }

            LastChild = child;
        }

        public void RemoveChild(Container child)
        {
            if (child.Previous is null)
            {
                FirstChild = child.Next;
            }
            else
            {
                child.Previous.Next = child.Next;
            }

            if (child.Next is null)
            {
                LastChild = child.Previous;
            }
            else
            {
                child.Next.Previous = child.Previous;
            }

            child.Parent = null;
            child.Previous = null;
            child.Next = null;
        }

        /// <summary>Turns the linked children into <see cref="Kids"/> once linking is done.</summary>
        public void TakeChildren()
        {
            for (var child = FirstChild; child is not null; child = child.Next)
            {
                Kids.Add(child);
            }
        }
    }
}
