namespace MailHost.Smtp;

/// <summary>
/// Counts <c>Received:</c> header fields in a message's header section as its bytes stream past, for loop
/// detection (RFC 5321 §6.3). Continuation lines and the body are ignored. Not thread-safe; one per message.
/// </summary>
internal sealed class SmtpReceivedCounter
{
    private static readonly byte[] FieldName = "received:"u8.ToArray();

    private bool _inHeader = true;
    private int _lineLength;
    private bool _matching = true;

    /// <summary>Received fields seen so far.</summary>
    public int Count { get; private set; }

    public void Scan(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (!_inHeader)
            {
                return;
            }

            if (b == (byte)'\n')
            {
                // RFC 5322 §2.1: an empty line ends the header section.
                _inHeader = _lineLength != 0;
                _lineLength = 0;
                _matching = true;
                continue;
            }

            if (b == (byte)'\r')
            {
                continue;
            }

            if (_matching && _lineLength < FieldName.Length)
            {
                // Field names are case-insensitive (RFC 5322 §1.2.2).
                _matching = (b | 0x20) == FieldName[_lineLength];
                if (_matching && _lineLength == FieldName.Length - 1)
                {
                    Count++;
                }
            }

            _lineLength++;
        }
    }
}
