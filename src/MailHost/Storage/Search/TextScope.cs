namespace MailHost.Storage.Search;

/// <summary>Where a <see cref="TextCriterion"/> looks.</summary>
public enum TextScope
{
    /// <summary><c>BODY</c>: the decoded text of the body.</summary>
    Body,

    /// <summary><c>TEXT</c>: the headers and the body.</summary>
    Text,
}
