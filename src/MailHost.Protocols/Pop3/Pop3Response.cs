using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Pop3;

/// <summary>
/// A single-line POP3 status response (RFC 1939 §3): <c>+OK text</c> or <c>-ERR [CODE] text</c> (RFC 2449 §8).
/// Parser errors are values of this type; their text never echoes client input.
/// </summary>
public sealed record Pop3Response
{
    /// <summary>Creates a response.</summary>
    /// <param name="isOk"><c>+OK</c> or <c>-ERR</c>.</param>
    /// <param name="code">An extended response code (only with <c>-ERR</c>).</param>
    /// <param name="text">Printable ASCII without CR or LF (may be empty).</param>
    /// <exception cref="ArgumentException">For a code on <c>+OK</c> or malformed text (programming errors).</exception>
    public Pop3Response(bool isOk, Pop3ResponseCode code, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (isOk && code != Pop3ResponseCode.None)
        {
            throw new ArgumentException("Response codes go with -ERR only.", nameof(code));
        }

        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException("Response text must be printable ASCII.", nameof(text));
            }
        }

        IsOk = isOk;
        Code = code;
        Text = text;
    }

    /// <summary>Whether this is <c>+OK</c>.</summary>
    public bool IsOk { get; }

    /// <summary>The extended response code.</summary>
    public Pop3ResponseCode Code { get; }

    /// <summary>The text after the status indicator and code.</summary>
    public string Text { get; }

    /// <summary>A <c>+OK</c> response.</summary>
    public static Pop3Response Ok(string text) => new(isOk: true, Pop3ResponseCode.None, text);

    /// <summary>A <c>-ERR</c> response.</summary>
    public static Pop3Response Err(string text, Pop3ResponseCode code = Pop3ResponseCode.None) => new(isOk: false, code, text);

    /// <summary>The bracketed form of a code, for example <c>[SYS/TEMP]</c>, or empty for <see cref="Pop3ResponseCode.None"/>.</summary>
    public static string FormatCode(Pop3ResponseCode code) => code switch
    {
        Pop3ResponseCode.InUse => "[IN-USE]",
        Pop3ResponseCode.LoginDelay => "[LOGIN-DELAY]",
        Pop3ResponseCode.SysTemp => "[SYS/TEMP]",
        Pop3ResponseCode.SysPerm => "[SYS/PERM]",
        Pop3ResponseCode.Auth => "[AUTH]",
        _ => string.Empty,
    };

    /// <summary>Writes the response line with CRLF.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(Encoding.ASCII.GetBytes(ToString()));
        output.Write("\r\n"u8);
    }

    /// <summary>The response line without CRLF.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(IsOk ? "+OK" : "-ERR");
        if (Code != Pop3ResponseCode.None)
        {
            builder.Append(' ').Append(FormatCode(Code));
        }

        if (Text.Length > 0)
        {
            builder.Append(' ').Append(Text);
        }

        return builder.ToString();
    }
}
