using MailHost.Delivery.Queue;

namespace MailHost.Delivery.Notifications;

/// <summary>One recipient to report in a delivery status notification, with its final state and last reply.</summary>
internal sealed record DeliveryReportItem(QueuedRecipient Recipient, QueueRecipientState State, string? Reply, string? RemoteMta, DateTimeOffset LastAttempt);
