namespace MailHost.Server.Admin;

/// <summary>
/// The words after <c>&lt;noun&gt; &lt;verb&gt;</c>, split into positional arguments and <c>--options</c>
/// (<c>--name value</c> or <c>--name=value</c>; flags take no value). <c>--</c> ends the options.
/// </summary>
internal sealed class AdminArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private AdminArguments()
    {
    }

    public List<string> Positionals { get; } = [];

    /// <summary>Splits <paramref name="words"/>; <paramref name="error"/> says what is wrong when it returns <see langword="null"/>.</summary>
    /// <param name="words">The words to split.</param>
    /// <param name="valueOptions">Options that take a value (without the leading dashes).</param>
    /// <param name="flagOptions">Options that take none.</param>
    /// <param name="error">Why the words are not acceptable.</param>
    public static AdminArguments? Parse(IEnumerable<string> words, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flagOptions, out string? error)
    {
        var result = new AdminArguments();
        error = null;
        var optionsEnded = false;
        using var enumerator = words.GetEnumerator();
        while (enumerator.MoveNext())
        {
            var word = enumerator.Current;
            if (optionsEnded || !word.StartsWith("--", StringComparison.Ordinal))
            {
                result.Positionals.Add(word);
                continue;
            }

            if (word == "--")
            {
                optionsEnded = true;
                continue;
            }

            var equals = word.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? word[2..] : word[2..equals];
            if (flagOptions.Contains(name))
            {
                if (equals >= 0)
                {
                    error = $"option --{name} takes no value";
                    return null;
                }

                result._flags.Add(name);
            }
            else if (valueOptions.Contains(name))
            {
                string value;
                if (equals >= 0)
                {
                    value = word[(equals + 1)..];
                }
                else if (enumerator.MoveNext())
                {
                    value = enumerator.Current;
                }
                else
                {
                    error = $"option --{name} needs a value";
                    return null;
                }

                if (!result._values.TryGetValue(name, out var list))
                {
                    result._values[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                error = $"unknown option {AdminText.Printable(equals < 0 ? word : word[..equals])}";
                return null;
            }
        }

        return result;
    }

    public bool HasFlag(string name) => _flags.Contains(name);

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];
}
