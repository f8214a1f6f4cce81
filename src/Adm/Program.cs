// userlvs-adm: ipvsadm's command line for UserLvs (AdmRunner). This entry only wires the real
// console, the /etc/hosts + /etc/services resolver and the control connection; the control socket
// client lands with the daemon, so for now every command that needs the daemon reports it cannot be
// reached (exit 2), while -h, -v and argument errors work without one.
using UserLvs.Adm;
using UserLvs.Adm.Control;
using UserLvs.Adm.Names;

var stdout = new StreamWriter(Console.OpenStandardOutput()) { NewLine = "\n", AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError()) { NewLine = "\n", AutoFlush = true };
var runner = new AdmRunner(
    connect: () => throw new ControlUnavailableException("the control socket client is not built yet"),
    names: new FilesNameResolver(),
    input: Console.In,
    output: stdout,
    error: stderr,
    program: ProgramName());
return runner.Run(args);

// ipvsadm names itself by its argv[0] in "Try `ipvsadm -h' ..." and in its usage text.
static string ProgramName()
{
    try
    {
        string first = File.ReadAllText("/proc/self/cmdline").Split('\0')[0];
        if (first.Length > 0 && !Path.GetFileName(first).StartsWith("dotnet", StringComparison.Ordinal)) return first;
    }
    catch (IOException)
    {
    }
    catch (UnauthorizedAccessException)
    {
    }
    return "userlvs-adm";
}
