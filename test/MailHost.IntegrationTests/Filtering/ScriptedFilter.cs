using MailHost.Filtering;

namespace MailHost.IntegrationTests.Filtering;

/// <summary>A filter whose answer at each stage a test sets; records the stages it was asked at and what it read.</summary>
internal sealed class ScriptedFilter(string name, int order = 100) : IInboundMessageFilter
{
    private readonly List<string> _calls = [];

    public string Name { get; } = name;

    public InboundFilterPolicy Policy { get; } = new() { Order = order, Timeout = TimeSpan.FromSeconds(5) };

    public Func<InboundFilterSession, InboundFilterVerdict>? OnConnect { get; set; }

    public Func<InboundFilterSession, InboundFilterVerdict>? OnHelo { get; set; }

    public Func<InboundFilterEnvelope, InboundFilterVerdict>? OnMail { get; set; }

    public Func<string, InboundFilterVerdict>? OnRecipient { get; set; }

    /// <summary>The message stage: gets the envelope and the message text as the filter read it.</summary>
    public Func<InboundFilterEnvelope, string, Task<InboundFilterVerdict>>? OnMessage { get; set; }

    /// <summary>The stages asked, in order ("connect", "helo", "mail", "rcpt:addr", "message").</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public ValueTask<InboundFilterVerdict> ConnectAsync(InboundFilterSession session, CancellationToken cancellationToken)
        => Answer("connect", OnConnect is null ? null : () => OnConnect(session));

    public ValueTask<InboundFilterVerdict> HeloAsync(InboundFilterSession session, CancellationToken cancellationToken)
        => Answer("helo", OnHelo is null ? null : () => OnHelo(session));

    public ValueTask<InboundFilterVerdict> MailFromAsync(InboundFilterSession session, InboundFilterEnvelope envelope, CancellationToken cancellationToken)
        => Answer("mail", OnMail is null ? null : () => OnMail(envelope));

    public ValueTask<InboundFilterVerdict> RecipientAsync(InboundFilterSession session, InboundFilterEnvelope envelope, string recipient, CancellationToken cancellationToken)
        => Answer("rcpt:" + recipient, OnRecipient is null ? null : () => OnRecipient(recipient));

    public async ValueTask<InboundFilterVerdict> MessageAsync(InboundFilterSession session, InboundFilterEnvelope envelope, InboundFilterMessage message, CancellationToken cancellationToken)
    {
        Record("message");
        if (OnMessage is null)
        {
            return InboundFilterVerdict.Accept;
        }

        await using var stream = await message.OpenAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return await OnMessage(envelope, text).WaitAsync(cancellationToken);
    }

    private ValueTask<InboundFilterVerdict> Answer(string stage, Func<InboundFilterVerdict>? answer)
    {
        Record(stage);
        return ValueTask.FromResult(answer?.Invoke() ?? InboundFilterVerdict.Accept);
    }

    private void Record(string stage)
    {
        lock (_calls)
        {
            _calls.Add(stage);
        }
    }
}
