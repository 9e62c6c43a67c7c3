namespace MailHost.Filtering.ClamAv;

/// <summary>What clamd said about a stream (clamd(8), <c>INSTREAM</c>).</summary>
internal enum ClamdScanStatus
{
    /// <summary><c>stream: OK</c>: no signature matched.</summary>
    Clean,

    /// <summary><c>stream: NAME FOUND</c>: a signature matched; <see cref="ClamdScanResult.Detail"/> is its name.</summary>
    Infected,

    /// <summary><c>INSTREAM size limit exceeded. ERROR</c>: the stream passed clamd's <c>StreamMaxLength</c>; not scanned.</summary>
    SizeLimitExceeded,

    /// <summary>Another reply ending in <c>ERROR</c>; <see cref="ClamdScanResult.Detail"/> is the text before it.</summary>
    Error,

    /// <summary>A reply that is none of the above; <see cref="ClamdScanResult.Detail"/> is the reply.</summary>
    Malformed,
}
