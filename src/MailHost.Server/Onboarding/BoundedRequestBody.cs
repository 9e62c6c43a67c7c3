namespace MailHost.Server.Onboarding;

/// <summary>Reads a small request body whole, refusing one past a limit before reading more than the limit.</summary>
internal static class BoundedRequestBody
{
    /// <summary>
    /// The body, or null when it is longer than <paramref name="limit"/> bytes (by its Content-Length, or once more
    /// than the limit has arrived for a chunked body).
    /// </summary>
    public static async Task<ArraySegment<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new byte[limit + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return new ArraySegment<byte>(buffer, 0, length);
            }

            length += read;
        }

        return null;
    }
}
