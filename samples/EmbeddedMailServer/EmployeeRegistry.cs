namespace EmbeddedMailServer;

/// <summary>Stands in for the HR system: employee number to mail account name, from configuration.</summary>
public sealed class EmployeeRegistry(IConfiguration configuration)
{
    private readonly Dictionary<int, string> _accounts = configuration.GetSection("Employees")
        .GetChildren()
        .Where(c => int.TryParse(c.Key, out _) && !string.IsNullOrWhiteSpace(c.Value))
        .ToDictionary(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture), c => c.Value!.ToLowerInvariant());

    public bool TryGetAccount(int employeeNumber, out string accountName)
        => _accounts.TryGetValue(employeeNumber, out accountName!);
}
