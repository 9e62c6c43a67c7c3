namespace MailHost.Server.Administration;

/// <summary>
/// Keeps the administration routes on the administration listener and every other route off it. Runs after routing
/// has chosen an endpoint and before authentication, so a console or API route reached through a public onboarding
/// port is a plain 404, as is an onboarding route reached through the administration port.
/// </summary>
internal static class AdminRouteIsolation
{
    /// <summary>Marks an endpoint as belonging to the administration listener.</summary>
    public sealed class AdminRouteMetadata
    {
        public static readonly AdminRouteMetadata Instance = new();
    }

    /// <summary>Marks every endpoint of <paramref name="builder"/> as an administration route.</summary>
    public static TBuilder OnAdminListener<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(AdminRouteMetadata.Instance));
        return builder;
    }

    /// <summary>Adds the middleware that drops an endpoint chosen for the wrong listener.</summary>
    public static IApplicationBuilder UseAdminRouteIsolation(this IApplicationBuilder app, AdminListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        return app.Use((context, next) =>
        {
            var endpoint = context.GetEndpoint();
            var adminRoute = endpoint?.Metadata.GetMetadata<AdminRouteMetadata>() is not null;
            if (endpoint is not null && adminRoute != listener.Accepted(context.Connection))
            {
                // No endpoint: the request ends as the 404 of an unknown path.
                context.SetEndpoint(null);
            }

            return next(context);
        });
    }
}
