using System.Reflection;
using MailHost.Connections;
using MailHost.Server;
using MailHost.Storage.Sqlite.Mail;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Host;

/// <summary>
/// Every log message of the server has an event id of its own, so an operator who filters or alerts on an id gets
/// that message and no other.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] ServerAssemblies =
    [
        typeof(ConnectionLog).Assembly,
        typeof(SqliteMailStore).Assembly,
        typeof(MailHostServer).Assembly,
    ];

    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var messages = ServerAssemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Attribute!.EventId, Name: m.Method.DeclaringType!.FullName + "." + m.Method.Name))
            .ToList();

        messages.Should().HaveCountGreaterThan(100, "the reflection finds the [LoggerMessage] methods of all three assemblies");
        messages.Should().NotContain(m => m.EventId <= 0, "every message names its id");
        var shared = messages
            .GroupBy(m => m.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(m => m.Name)))
            .ToList();
        shared.Should().BeEmpty();
    }
}
