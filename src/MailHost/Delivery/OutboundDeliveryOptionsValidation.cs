using Microsoft.Extensions.Options;

namespace MailHost.Delivery;

/// <summary>Checks <see cref="OutboundDeliveryOptions"/> set in code with the rules of <see cref="OutboundDeliveryConfigurationReader"/>.</summary>
internal sealed class OutboundDeliveryOptionsValidation : IValidateOptions<OutboundDeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundDeliveryOptions options)
        => OutboundDeliveryConfigurationReader.FindProblem(options, OutboundDeliveryOptions.SectionName) is { } problem
            ? ValidateOptionsResult.Fail(problem.Key + ": " + problem.Problem)
            : ValidateOptionsResult.Success;
}
