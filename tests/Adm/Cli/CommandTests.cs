
namespace UserLvs.Adm.Tests.Cli;

/// <summary>
/// What each accepted ipvsadm command line sends to the daemon, short and long forms alike: the
/// defaults ipvsadm fills in (wlc, weight 1, -p alone = 360 s, netmask /32, a server's port taken
/// from the service), how addresses and ports are read (inet_aton forms, host and service names),
/// and UserLvs's one deviation: no forwarding method means masquerading.
/// </summary>
public class CommandTests
{
    private const string AllOnes = "255.255.255.255";

    private static object LastRequest(string line, params string[] setup)
    {
        var adm = new AdmHarness().Do(setup);
        var result = adm.Run(line);
        Assert.True(result.Status == 0, $"{line}: {result.Status} {result.Err}");
        Assert.Equal(("", ""), (result.Out, result.Err));
        return adm.Control.Requests[^1];
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80", 6, "192.0.2.10", 80, "wlc", 0u, AllOnes)]
    [InlineData("--add-service --tcp-service 192.0.2.10:http --scheduler rr", 6, "192.0.2.10", 80, "rr", 0u, AllOnes)]
    [InlineData("-A -t www.example.com:www -s wrr", 6, "192.0.2.10", 80, "wrr", 0u, AllOnes)]
    [InlineData("-A -u 192.0.2.10:domain -s lc", 17, "192.0.2.10", 53, "lc", 0u, AllOnes)]
    [InlineData("--add-service --udp-service 192.0.2.10:53", 17, "192.0.2.10", 53, "wlc", 0u, AllOnes)]
    [InlineData("-A -t 10.1:80", 6, "10.0.0.1", 80, "wlc", 0u, AllOnes)]               // inet_aton: a.b, b fills 24 bits
    [InlineData("-A -t 0x0a.0.0.010:80", 6, "10.0.0.8", 80, "wlc", 0u, AllOnes)]      // hex and octal parts
    [InlineData("-A -t 192.0.2.10:+80", 6, "192.0.2.10", 80, "wlc", 0u, AllOnes)]     // strtol takes a sign
    [InlineData("-At 192.0.2.10:80 -srr", 6, "192.0.2.10", 80, "rr", 0u, AllOnes)]    // clustered short options
    [InlineData("-A -t192.0.2.10:80", 6, "192.0.2.10", 80, "wlc", 0u, AllOnes)]
    [InlineData("-A -t=192.0.2.10:80 -s=rr -p=600", 6, "192.0.2.10", 80, "rr", 600u, AllOnes)]  // popt skips one '=' after a short option
    [InlineData("-A -t 192.0.2.10:80 -p", 6, "192.0.2.10", 80, "wlc", 360u, AllOnes)] // IPVS_SVC_PERSISTENT_TIMEOUT
    [InlineData("-A -t 192.0.2.10:80 -p 600", 6, "192.0.2.10", 80, "wlc", 600u, AllOnes)]
    [InlineData("-A -t 192.0.2.10:80 -p600", 6, "192.0.2.10", 80, "wlc", 600u, AllOnes)]
    [InlineData("-A -t 192.0.2.10:80 --persistent=600", 6, "192.0.2.10", 80, "wlc", 600u, AllOnes)]
    [InlineData("-A -t 192.0.2.10:80 --persistent 600", 6, "192.0.2.10", 80, "wlc", 600u, AllOnes)]
    [InlineData("-A -t 192.0.2.10:80 -p -M 255.255.255.0", 6, "192.0.2.10", 80, "wlc", 360u, "255.255.255.0")]
    [InlineData("-A -t 192.0.2.10:0 -p 60 --netmask 255.255.0.0", 6, "192.0.2.10", 0, "wlc", 60u, "255.255.0.0")]
    [InlineData("-A -t 192.0.2.10:80 -M 255.255.255.0", 6, "192.0.2.10", 80, "wlc", 0u, "255.255.255.0")]
    [InlineData("-A -t 192.0.2.10:80 -p 2678400", 6, "192.0.2.10", 80, "wlc", 2678400u, AllOnes)]
    public void AddService_SendsTheServiceAsIpvsadmReadsIt(string line, int protocol, string address, int port,
        string scheduler, uint timeout, string netmask)
    {
        var sent = Assert.IsType<ServiceSettings>(LastRequest(line));
        Assert.Equal(new ServiceSettings((Protocol)protocol, address, (ushort)port, scheduler, SchedulerFlags.None, timeout, netmask), sent);
    }

    [Fact]
    public void SchedulerName_IsCutTo15Characters_AsIpvsadmsBufferCutsIt()
    {
        var adm = new AdmHarness();
        var result = adm.Run("-A -t 192.0.2.10:80 -s averyveryverylongname");
        Assert.Equal((255, "Scheduler or persistence engine not found\n"), (result.Status, result.Err));
        Assert.Equal("averyveryverylo", Assert.IsType<ServiceSettings>(adm.Control.Requests[^1]).Scheduler);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -b flag-1,flag-3", "wlc", SchedulerFlags.Flag1 | SchedulerFlags.Flag3)]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b sh-fallback,sh-port", "sh", SchedulerFlags.Flag1 | SchedulerFlags.Flag2)]
    [InlineData("-A -t 192.0.2.10:80 --sched-flags mh-port --scheduler mh", "mh", SchedulerFlags.Flag2)] // checked after all options
    [InlineData("-A -t 192.0.2.10:80 -s sh -b ,sh-port,,", "sh", SchedulerFlags.Flag2)]                  // strtok skips empty items
    public void SchedulerFlags_AreSentAsIpvsFlagBits(string line, string scheduler, SchedulerFlags flags)
    {
        var sent = Assert.IsType<ServiceSettings>(LastRequest(line));
        Assert.Equal((scheduler, flags), (sent.Scheduler, sent.SchedulerFlags));
    }

    [Fact]
    public void EditService_SendsEverySetting_AndWithoutDashSTheSchedulerBecomesWlc()
    {
        var sent = Assert.IsType<ServiceSettings>(LastRequest("-E -t 192.0.2.10:80 -p 30", "-A -t 192.0.2.10:80 -s rr"));
        Assert.Equal(new ServiceSettings(Protocol.Tcp, "192.0.2.10", 80, "wlc", SchedulerFlags.None, 30, AllOnes), sent);
        Assert.IsType<ServiceSettings>(LastRequest("--edit-service --tcp-service 192.0.2.10:80 --scheduler sed", "-A -t 192.0.2.10:80"));
    }

    [Theory]
    [InlineData("-D -t 192.0.2.10:80")]
    [InlineData("--delete-service --tcp-service 192.0.2.10:http")]
    public void DeleteService_NamesTheService(string line) =>
        Assert.Equal(("DeleteService", new ServiceKey(Protocol.Tcp, "192.0.2.10", 80)), LastRequest(line, "-A -t 192.0.2.10:80"));

    [Theory]
    [InlineData("-C")]
    [InlineData("--clear")]
    public void Clear_EmptiesTheTable(string line) => Assert.Equal("Clear", LastRequest(line, "-A -t 192.0.2.10:80"));

    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1", "10.0.0.1", 80, 1, 0u, 0u)]                      // port from the service, -m implied
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 5 -x 100 -y 50", "10.0.0.1", 8080, 5, 100u, 50u)]
    [InlineData("--add-server --tcp-service 192.0.2.10:80 --real-server web2:http --masquerading --weight 0 --u-threshold 10 --l-threshold 5",
        "10.0.0.2", 80, 0, 10u, 5u)]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -m -w 65535", "10.0.0.1", 80, 65535, 0u, 0u)]
    [InlineData("-a -r 10.0.0.1 -t 192.0.2.10:80 -m", "10.0.0.1", 0, 1, 0u, 0u)]                      // -r before -t: no port known yet
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1:0 -m", "10.0.0.1", 0, 1, 0u, 0u)]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.1 -x 5 -y 5", "10.0.0.1", 80, 1, 5u, 5u)]
    public void AddServer_SendsTheServer_WithMasqueradingAsTheOnlyMethod(string line, string address, int port, int weight, uint upper, uint lower)
    {
        var (service, server) = Assert.IsType<(ServiceKey, ServerSettings)>(LastRequest(line, "-A -t 192.0.2.10:80"));
        Assert.Equal(new ServiceKey(Protocol.Tcp, "192.0.2.10", 80), service);
        Assert.Equal(new ServerSettings(address, (ushort)port, ForwardingMethod.Masquerade, weight, upper, lower), server);
    }

    [Fact]
    public void EditServer_SendsTheWholeServer_SoAnOmittedWeightGoesBackTo1()
    {
        var setup = new[] { "-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.1 -w 5 -x 10" };
        Assert.Equal(("EditServer", new ServiceKey(Protocol.Tcp, "192.0.2.10", 80), new ServerSettings("10.0.0.1", 80, ForwardingMethod.Masquerade, 7)),
            LastRequest("-e -t 192.0.2.10:80 -r 10.0.0.1 -w 7", setup));
        Assert.Equal(("EditServer", new ServiceKey(Protocol.Tcp, "192.0.2.10", 80), new ServerSettings("10.0.0.1", 80)),
            LastRequest("--edit-server -t 192.0.2.10:80 -r 10.0.0.1 -m", setup));
    }

    [Theory]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.1")]
    [InlineData("--delete-server --tcp-service 192.0.2.10:80 --real-server web1:80")]
    public void DeleteServer_NamesServiceAndServer(string line) =>
        Assert.Equal(("DeleteServer", new ServiceKey(Protocol.Tcp, "192.0.2.10", 80), "10.0.0.1", (ushort)80),
            LastRequest(line, "-A -t 192.0.2.10:80", "-a -t 192.0.2.10:80 -r 10.0.0.1"));

    [Theory]
    [InlineData("-L -n --sort")]
    [InlineData("-l -n")]
    [InlineData("--list --numeric")]
    [InlineData("-Ln")]
    public void ListSpellings_PrintTheSameTable(string line)
    {
        var adm = new AdmHarness().Do("-A -t 192.0.2.10:80");
        var result = adm.Run(line);
        Assert.Equal(adm.Run("-L -n").Out, result.Out);
        Assert.Contains("TCP  192.0.2.10:80 wlc\n", result.Out);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Help_PrintsUsageOnStdout_Status0(string line)
    {
        var result = new AdmHarness().Run(line);
        Assert.Equal(0, result.Status);
        Assert.StartsWith("ipvsadm v1.31 2019/12/24 (compiled with userlvs-adm and IPVS v1.2.1)\nUsage:\n  ipvsadm -A|E virtual-service", result.Out);
        Assert.Contains("  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|mh|fo|ovf|twos,\n", result.Out);
        Assert.Equal("", result.Err);
    }

    [Theory]
    [InlineData("-v")]
    [InlineData("--version")]
    public void Version_PrintsIpvsadmsVersionLine(string line) =>
        Assert.Equal((0, "ipvsadm v1.31 2019/12/24 (compiled with userlvs-adm and IPVS v1.2.1)\n"),
            (new AdmHarness().Run(line).Status, new AdmHarness().Run(line).Out));
}
