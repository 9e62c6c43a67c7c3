using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MailHost.Server.Onboarding;

/// <summary>The onboarding listeners Kestrel was given, with their bound addresses once the server has started.</summary>
internal sealed class OnboardingListeners
{
    private readonly Lock _lock = new();
    private ListenOptions? _http;
    private ListenOptions? _https;

    /// <summary>The plain HTTP listener's address (the real port after start, also when 0 was asked for).</summary>
    public IPEndPoint? HttpEndPoint
    {
        get
        {
            lock (_lock)
            {
                return _http?.IPEndPoint;
            }
        }
    }

    /// <summary>The HTTPS listener's address.</summary>
    public IPEndPoint? HttpsEndPoint
    {
        get
        {
            lock (_lock)
            {
                return _https?.IPEndPoint;
            }
        }
    }

    internal void Add(ListenOptions listen, bool https)
    {
        lock (_lock)
        {
            if (https)
            {
                _https = listen;
            }
            else
            {
                _http = listen;
            }
        }
    }
}
