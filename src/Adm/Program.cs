// userlvs-adm: ipvsadm's command line for UserLvs (AdmRunner). This entry only wires the real
// console, the /etc/hosts + /etc/services resolver and the control connection to userlvsd's Unix
// socket (USERLVS_SOCKET, or /run/userlvs/userlvsd.sock).
using UserLvs.Adm;
using UserLvs.Adm.Control;
using UserLvs.Adm.Names;

var stdout = new StreamWriter(Console.OpenStandardOutput()) { NewLine = "\n", AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError()) { NewLine = "\n", AutoFlush = true };
var runner = new AdmRunner(
    connect: () => new ControlClient(ControlProtocol.SocketPath()),
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
