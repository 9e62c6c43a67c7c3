namespace MailHost.Server.Onboarding;

/// <summary>The published policies read from configuration at start-up.</summary>
/// <param name="MtaSts">The MTA-STS policy, or null when MTA-STS is not configured.</param>
internal sealed record OnboardingPolicies(MtaStsPolicy? MtaSts);
