using UserLvs.Adm.Control;

namespace UserLvs.Adm.Tests.Cli;

/// <summary>
/// Failures the daemon's service table reports, printed as ipvsadm prints the kernel's (libipvs's
/// ipvs_strerror picks the text by operation: ESRCH is "No such service" for -E/-D/-Z but "Service
/// not defined" for -a/-e/-d), with ipvsadm's status 255; and the kernel's own ERANGE for a lower
/// threshold above the upper one. A daemon that cannot be reached is status 2.
/// </summary>
public class DaemonErrorTests
{
    private static readonly string[] OneService = ["-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.1 -m"];

    [Theory]
    [InlineData("-A -t 192.0.2.10:80", "Service already exists")]
    [InlineData("-A -t 192.0.2.10:81 -s nosuch", "Scheduler or persistence engine not found")]
    [InlineData("-E -t 192.0.2.10:80 -s nosuch", "Scheduler or persistence engine not found")]
    [InlineData("-E -t 192.0.2.10:81", "No such service")]
    [InlineData("-D -t 192.0.2.10:81", "No such service")]
    [InlineData("-D -u 192.0.2.10:80", "No such service")]
    [InlineData("-Z -t 192.0.2.10:81", "No such service")]
    [InlineData("-a -t 192.0.2.10:81 -r 10.0.0.1 -m", "Service not defined")]
    [InlineData("-e -t 192.0.2.10:81 -r 10.0.0.1 -m", "Service not defined")]
    [InlineData("-d -t 192.0.2.10:81 -r 10.0.0.1", "Service not defined")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -m", "Destination already exists")]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.2 -m", "No such destination")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.1:81", "No such destination")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.2 -x 5 -y 6", "Numerical result out of range")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.2 -y 1", "Numerical result out of range")] // no upper threshold is 0
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.1 -y 1", "Numerical result out of range")]
    [InlineData("-a -t 192.0.2.10:81 -r 10.0.0.2 -x 5 -y 1", "Service not defined")]   // the kernel looks for the service first
    public void FailedOperations_PrintIpvsadmsText_Status255(string line, string error)
    {
        var adm = new AdmHarness().Do(OneService);
        long generation = adm.Control.Table.Current.Generation;
        var result = adm.Run(line);
        Assert.Equal((255, "", error + "\n"), (result.Status, result.Out, result.Err));
        Assert.Equal(generation, adm.Control.Table.Current.Generation); // the table did not change
    }

    [Theory]
    [InlineData(IpvsErrors.Operation.AddService, TableResult.InvalidArgument, IpvsErrors.InvalidOperation)]
    [InlineData(IpvsErrors.Operation.AddServer, TableResult.InvalidArgument, IpvsErrors.InvalidOperation)]
    [InlineData(IpvsErrors.Operation.AddServer, TableResult.SchedulerNotFound, "No such file or directory")]
    [InlineData(IpvsErrors.Operation.EditService, TableResult.ServiceExists, "File exists")]
    [InlineData(IpvsErrors.Operation.AddService, TableResult.NoSuchService, "No such process")]
    public void ResultsWithoutAnEntryOfTheirOwn_FallBackToStrerror(IpvsErrors.Operation operation, TableResult result, string text) =>
        Assert.Equal(text, IpvsErrors.Message(operation, result));

    [Fact]
    public void UnreachableDaemon_SaysItCannotInitialise_Status2_ButHelpAndArgumentErrorsStillWork()
    {
        AdmHarness.Outcome Run(params string[] words)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var runner = new AdmRunner(() => throw new ControlUnavailableException("connect /run/userlvs/userlvsd.sock: No such file or directory"),
                Fakes.FixedNames.Default, new StringReader(""), output, error, "ipvsadm");
            return new(runner.Run(words), output.ToString(), error.ToString());
        }

        var list = Run("-Ln");
        Assert.Equal((2, "", "Can't initialize ipvs: connect /run/userlvs/userlvsd.sock: No such file or directory\n"
            + "Are you sure that userlvsd is running?\n"), (list.Status, list.Out, list.Err));
        Assert.Equal(0, Run("-h").Status);
        Assert.Equal((2, "illegal weight specified\n"), (Run("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.1", "-w", "x").Status,
            Run("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.1", "-w", "x").Err));
    }
}
