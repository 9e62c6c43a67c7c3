namespace MailHost.Protocols.Text;

/// <summary>The outcome of one <see cref="DotStuffer.Write(ReadOnlySpan{byte}, System.Buffers.IBufferWriter{byte})"/> call.</summary>
public enum DotStuffStatus
{
    /// <summary>All input was written; pass more stored bytes, or call <see cref="DotStuffer.Complete"/> at the end.</summary>
    NeedMoreData = 0,

    /// <summary>A TOP body-line limit was reached: the rest of the message is not needed. Call <see cref="DotStuffer.Complete"/>.</summary>
    Done = 1,
}
