using UserLvs.Adm.Names;
using UserLvs.Adm.Tests.Fakes;

namespace UserLvs.Adm.Tests;

/// <summary>
/// Runs userlvs-adm as a user would (argument words in, stdout/stderr/exit status out) against a
/// fake daemon backed by a real service table. The program name is "ipvsadm", so messages that name
/// the program read exactly as ipvsadm's.
/// </summary>
internal sealed class AdmHarness
{
    public ServiceTableControl Control { get; } = new();
    public INameResolver Names { get; init; } = FixedNames.Default;

    public readonly record struct Outcome(int Status, string Out, string Err);

    /// <summary>Runs a command line split on spaces ("-A -t 192.0.2.10:80 -s rr").</summary>
    public Outcome Run(string commandLine, string stdin = "") =>
        RunWords(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), stdin);

    public Outcome RunWords(string[] words, string stdin = "")
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var runner = new AdmRunner(() => Control, Names, new StringReader(stdin), output, error, "ipvsadm");
        int status = runner.Run(words);
        return new(status, output.ToString(), error.ToString());
    }

    /// <summary>Runs commands that must succeed silently (setting up a table).</summary>
    public AdmHarness Do(params string[] commandLines)
    {
        foreach (var line in commandLines)
        {
            var outcome = Run(line);
            Assert.True(outcome.Status == 0 && outcome.Err.Length == 0, $"'{line}' failed: {outcome.Status} {outcome.Err}");
        }
        return this;
    }
}
