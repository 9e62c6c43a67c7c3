namespace MailHost.Fuzz;

/// <summary>One input surface: a name for the command line, what it checks, and the harness run on each input.</summary>
/// <param name="Name">The target name (<c>fuzz/run.sh NAME</c>, <c>fuzz/corpus/NAME/</c>).</param>
/// <param name="Description">One line for <c>fuzz/run.sh list</c>.</param>
/// <param name="Run">Runs one input; throws when the code under test fails or breaks an invariant.</param>
internal sealed record FuzzTarget(string Name, string Description, Action<byte[]> Run);
