using UserLvs.Adm.Cli;

namespace UserLvs.Adm.Tests.Cli;

/// <summary>
/// Every refusal of ipvsadm 1.31's argument handling, with its exact text and exit status: 255 with
/// "Try ..." when the first option is not a command; 255 with popt's "word: reason" for an unknown
/// option, a missing value or an unwanted one; 2 for ipvsadm's own fail() messages, in the order
/// ipvsadm checks them (values as read, then the option table, then per-command rules).
/// Lines UserLvs cannot carry out (IPv6, -g, -i, fwmark ...) are refused plainly with status 2.
/// </summary>
public class ArgumentErrorTests
{
    private const string TryHelp = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";

    [Theory]
    [InlineData("-n -L")]                       // the command must come first
    [InlineData("--bogus")]
    [InlineData("-t")]
    [InlineData("-t 192.0.2.10:80")]
    [InlineData("foo")]
    [InlineData("-- -L")]
    public void FirstWordNotACommand_SaysTryHelp_Status255(string line)
    {
        var result = new AdmHarness().Run(line);
        Assert.Equal((255, "", TryHelp), (result.Status, result.Out, result.Err));
    }

    [Theory]
    [InlineData("-L --bogus", "--bogus: unknown option\n")]
    [InlineData("-Lq", "-Lq: unknown option\n")]
    [InlineData("-L --lis", "--lis: unknown option\n")]          // popt takes no abbreviations
    [InlineData("-A -t", "-t: missing argument\n")]
    [InlineData("-A -t 192.0.2.10:80 --scheduler", "--scheduler: missing argument\n")]
    [InlineData("-L --numeric=1", "--numeric=1: option does not take an argument\n")]
    [InlineData("-L -n=x", "-n=x: option does not take an argument\n")]
    public void PoptErrors_NameTheWord_Status255(string line, string error)
    {
        var result = new AdmHarness().Run(line);
        Assert.Equal((255, error), (result.Status, result.Err));
    }

    [Theory]
    // A second command, or -h/-v, after the command
    [InlineData("-A -L", "invalid option `-L'")]
    [InlineData("-A -t 192.0.2.10:80 -h", "invalid option `-h'")]
    [InlineData("-L --list", "invalid option `--list'")]
    [InlineData("-L --start-daemon master", "invalid option `master'")] // popt's argv[next-1] is the value
    // An option class given twice
    [InlineData("-L -n -n", "multiple 'numeric' options specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -m -g", "multiple 'forwarding-method' options specified")]
    [InlineData("-A -t 192.0.2.10:80 -u 192.0.2.10:53", "multiple 'service-address' options specified")]
    [InlineData("-L --stats --stats", "multiple 'stats' options specified")]
    // Addresses and ports
    [InlineData("-A -t 80", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 192.0.2.10:", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 192.0.2.10:65536", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 192.0.2.10:-1", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 192.0.2.10:nosuchservice", "illegal virtual server address[:port] specified")]
    [InlineData("-A -u 192.0.2.10:https2", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t nosuchhost:80", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 1.2.3.4.5:80", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 256.1.1.1:80", "illegal virtual server address[:port] specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 80", "illegal real server address[:port] specified")]
    [InlineData("-a -r 10.0.0.1:http -t 192.0.2.10:80", "illegal real server address[:port] specified")] // no protocol yet
    [InlineData("-A -t 192.0.2.10:80 -M 255.255.255.256", "illegal virtual server persistent mask specified")]
    // Values
    [InlineData("-A -t 192.0.2.10:80 -p 0", "invalid timeout value `0' specified")]
    [InlineData("-A -t 192.0.2.10:80 -p 2678401", "invalid timeout value `2678401' specified")]
    [InlineData("-A -t 192.0.2.10:80 -p 1h", "invalid timeout value `1h' specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -w 65536", "illegal weight specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -w -1", "illegal weight specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -w 1x", "illegal weight specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -x -1", "illegal u_threshold specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -y 2147483648", "illegal l_threshold specified")]
    [InlineData("-A -t 192.0.2.10:80 -w abc", "illegal weight specified")] // values are read before the option table is checked
    [InlineData("-A -t 192.0.2.10:80 -b flag-4", "invalid scheduler flag `flag-4'")]
    [InlineData("-A -t 192.0.2.10:80 -b sh-port", "incompatible scheduler flag `sh-port'")] // wlc by default
    [InlineData("-A -t 192.0.2.10:80 -s mh -b mh-port,sh-fallback", "incompatible scheduler flag `sh-fallback'")]
    [InlineData("-A -f 0", "invalid fwmark value `0' specified")]
    [InlineData("-A -f 4294967296", "invalid fwmark value `4294967296' specified")]
    [InlineData("-A -t 192.0.2.10:80 -6", "-6 used before -f\n")]
    // The option table
    [InlineData("-A -t 192.0.2.10:80 -w 1", "Illegal 'weight' option with the 'add-service' command")]
    [InlineData("-E -t 192.0.2.10:80 -r 10.0.0.1", "Illegal 'real-server' option with the 'edit-service' command")]
    [InlineData("-A -s rr", "You need to supply the 'service-address' option for the 'add-service' command")]
    [InlineData("-a -t 192.0.2.10:80", "You need to supply the 'real-server' option for the 'add-server' command")]
    [InlineData("-a -r 10.0.0.1", "You need to supply the 'service-address' option for the 'add-server' command")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.1 -w 2", "Illegal 'weight' option with the 'delete-server' command")]
    [InlineData("-D -t 192.0.2.10:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command")]
    [InlineData("-C -n", "Illegal 'numeric' option with the 'flush' command")]
    [InlineData("-Z -n", "Illegal 'numeric' option with the 'zero' command")]
    [InlineData("--set 1 2 3 -n", "Illegal 'numeric' option with the 'set' command")]
    [InlineData("-R -n", "Illegal 'numeric' option with the 'restore' command")]
    [InlineData("-S -t 192.0.2.10:80", "Illegal 'service-address' option with the 'save' command")]
    [InlineData("-S --exact", "Illegal 'exact' option with the 'save' command")]
    [InlineData("-L -s rr", "Illegal 'scheduler' option with the 'list' command")]
    [InlineData("-L -c -t 192.0.2.10:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-L --timeout -c", "The option 'timeout' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-L --daemon --timeout", "The option 'daemon' conflicts with the 'timeout' option in the 'list' command")]
    [InlineData("-L -c --stats", "options conflicts in the list command")]
    [InlineData("-L --timeout --rate", "options conflicts in the list command")]
    [InlineData("-L --timeout --persistent-conn", "options conflicts in the list command")]
    // Per-command rules
    [InlineData("-A -t 192.0.2.10", "Zero port specified for non-persistent service")]
    [InlineData("-E -t 192.0.2.10:0 -s rr", "Zero port specified for non-persistent service")]
    [InlineData("-A -t 192.0.2.10:80 -o", "One-Packet Scheduling is only for UDP virtual services")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 --tun-type gue", "Tunnel options conflict with forward method")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -i --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -i --tun-type gre --tun-csum --tun-nocsum",
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -i --tun-type vxlan", "illegal tunnel type specified")]
    // --set and leftovers
    [InlineData("--set 1 2", "--set option requires 3 timeout values")]
    [InlineData("--set 1 2 x", "invalid timeout value `x' specified")]
    [InlineData("--set 1 2 3 4", "unexpected argument 4")]
    [InlineData("-L foo", "unexpected argument foo")]
    [InlineData("foo -L", "unexpected argument foo")]            // popt keeps scanning past a plain word
    [InlineData("-L -- -n", "unexpected argument -n")]
    // Daemon switches
    [InlineData("--start-daemon slave", "illegal start-daemon parameter specified")]
    [InlineData("--stop-daemon slave", "illegal start_daemon specified")]
    [InlineData("--start-daemon master --syncid 256", "illegal syncid specified")]
    [InlineData("--start-daemon master --mcast-group 10.0.0.1", "invalid IPv4 mcast-group `10.0.0.1'")]
    [InlineData("--start-daemon master --mcast-group ::1", "invalid IPv6 mcast-group `::1'")]
    [InlineData("--start-daemon master --mcast-port 0", "illegal mcast-port specified")]
    [InlineData("--start-daemon master --mcast-ttl 256", "illegal mcast-ttl specified")]
    [InlineData("--start-daemon master --sync-maxlen 65508", "illegal sync-maxlen specified")]
    [InlineData("--start-daemon master -n", "Illegal 'numeric' option with the 'start-daemon' command")]
    // What UserLvs cannot do
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -g", Unsupported.DirectRouting)]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.1 --gatewaying", Unsupported.DirectRouting)]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -i", Unsupported.Tunnelling)]
    [InlineData("-A -t [2001:db8::1]:80", Unsupported.IPv6)]
    [InlineData("-A -t 2001:db8::1", Unsupported.IPv6)]
    [InlineData("-a -t 192.0.2.10:80 -r [2001:db8::2]:80", Unsupported.IPv6)]
    [InlineData("-A -f 1", Unsupported.Fwmark)]
    [InlineData("-A -f 1 -6", Unsupported.Fwmark)]
    [InlineData("-L -f 7", Unsupported.Fwmark)]
    [InlineData("-A --sctp-service 192.0.2.10:80", Unsupported.Sctp)]
    [InlineData("-A -u 192.0.2.10:53 -o", Unsupported.OnePacket)]
    [InlineData("-A -t 192.0.2.10:80 --pe sip", Unsupported.PersistenceEngine)]
    [InlineData("--start-daemon master", Unsupported.SyncDaemon)]
    [InlineData("--stop-daemon backup", Unsupported.SyncDaemon)]
    public void RefusedLines_PrintIpvsadmsSentence_Status2(string line, string error)
    {
        var adm = new AdmHarness();
        var result = adm.Run(line);
        Assert.Equal((2, "", error + "\n"), (result.Status, result.Out, result.Err));
        Assert.Empty(adm.Control.Requests); // nothing reached the daemon
    }

    [Fact]
    public void OptionTable_HasOneColumnPerOptionClass_ForEveryCommand()
    {
        foreach (var command in Enum.GetValues<AdmCommand>().Where(c => c != AdmCommand.None))
            Assert.Equal(AdmOptionNames.Count, OptionMatrix.Row(command).Length);
    }
}
