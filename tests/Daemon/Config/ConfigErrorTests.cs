namespace UserLvs.Daemon.Tests.Config;

/// <summary>
/// Every class of mistake, each reported as <c>FILE:LINE: reason</c> with the exact text a user sees,
/// and all of a file's mistakes at once.
/// </summary>
public class ConfigErrorTests
{
    /// <summary>The bad line is line 1; a valid rest follows.</summary>
    private static string[] GlobalErrors(string badLine) =>
        Lvs.Errors(Lvs.Lines([badLine, "nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual]));

    /// <summary>The bad line is line 5, inside virtual 'web' (header on line 2).</summary>
    private static string[] VirtualErrors(string badLine) =>
        Lvs.Errors(Lvs.Lines("nat_router = 10.0.0.1 eth1", "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0:1",
            badLine, "    port = 80", "}"));

    [Fact]
    public void UnknownKey()
    {
        Assert.Equal(["lvs.cf:1: unknown key 'keepalived'"], GlobalErrors("keepalived = 2"));
    }

    [Fact]
    public void KeyInTheWrongBlock()
    {
        Assert.Equal(["lvs.cf:1: 'scheduler' is not allowed at global level (it belongs in a virtual block)"], GlobalErrors("scheduler = rr"));
        Assert.Equal(["lvs.cf:5: 'weight' is not allowed in a virtual block (it belongs in a server block)"], VirtualErrors("weight = 2"));
        Assert.Equal(["lvs.cf:5: 'keepalive' is not allowed in a virtual block (it is a global setting)"], VirtualErrors("keepalive = 2"));
    }

    [Fact]
    public void DuplicateKey()
    {
        Assert.Equal(["lvs.cf:5: duplicate key 'active' (first set at line 3)"], VirtualErrors("active = 0"));
    }

    [Fact]
    public void MissingEqualsOrValue()
    {
        Assert.Equal(["lvs.cf:1: expected '=' after 'heartbeat'"], GlobalErrors("heartbeat 1"));
        Assert.Equal(["lvs.cf:1: 'heartbeat' needs a value"], GlobalErrors("heartbeat ="));
        Assert.Equal(["lvs.cf:1: 'active_cmd' takes one value, not 2; quote a value that contains blanks, '=', '{' or '}'"],
            GlobalErrors("active_cmd = /bin/notify now"));
    }

    [Theory]
    [InlineData("heartbeat = yes", "'heartbeat' must be 0 or 1, not 'yes'")]
    [InlineData("heartbeat_port = 70000", "'heartbeat_port' must be an integer from 1 to 65535, not '70000'")]
    [InlineData("heartbeat_port = http", "'heartbeat_port' must be an integer from 1 to 65535, not 'http'")]
    [InlineData("serial_no = -1", "'serial_no' must be an integer from 0 to 999999999999999999, not '-1'")]
    [InlineData("syncd_id = 256", "'syncd_id' must be an integer from 0 to 255, not '256'")]
    public void BadNumber(string line, string reason)
    {
        Assert.Equal([$"lvs.cf:1: {reason}"], GlobalErrors(line));
    }

    [Theory]
    [InlineData("keepalive = 0", "'keepalive' must be a number of seconds greater than 0, such as 2 or 0.5, not '0'")]
    [InlineData("keepalive = .5", "'keepalive' must be a number of seconds greater than 0, such as 2 or 0.5, not '.5'")]
    [InlineData("deadtime = 1e3", "'deadtime' must be a number of seconds greater than 0, such as 2 or 0.5, not '1e3'")]
    [InlineData("deadtime = 1,5", "'deadtime' must be a number of seconds greater than 0, such as 2 or 0.5, not '1,5'")]
    [InlineData("keepalive = 0.0000001", "'keepalive' must be a number of seconds greater than 0, such as 2 or 0.5, not '0.0000001'")]
    public void BadFraction(string line, string reason)
    {
        Assert.Equal([$"lvs.cf:1: {reason}"], GlobalErrors(line));
    }

    [Theory]
    [InlineData("primary = lvs1.example.com", "'primary' must be an IPv4 address such as 192.0.2.10, not 'lvs1.example.com'")]
    [InlineData("primary = 192.0.2", "'primary' must be an IPv4 address such as 192.0.2.10, not '192.0.2'")]
    [InlineData("primary = 192.0.2.256", "'primary' must be an IPv4 address such as 192.0.2.10, not '192.0.2.256'")]
    [InlineData("primary = 192.0.2.010", "'primary' must be an IPv4 address such as 192.0.2.10, not '192.0.2.010'")]
    [InlineData("primary = 0.0.0.0", "'primary' must not be 0.0.0.0")]
    public void BadAddress(string line, string reason)
    {
        Assert.Equal([$"lvs.cf:1: {reason}"], GlobalErrors(line));
    }

    [Theory]
    [InlineData("nat_nmask = 255.0.255.0", "'nat_nmask' must be a netmask such as 255.255.255.0, not '255.0.255.0'")]
    [InlineData("nat_nmask = 24", "'nat_nmask' must be a netmask such as 255.255.255.0, not '24'")]
    public void BadNetmask(string line, string reason)
    {
        Assert.Equal([$"lvs.cf:1: {reason}"], GlobalErrors(line));
    }

    [Theory]
    [InlineData("    address = 192.0.2.10 eth0:", "'eth0:' is not a valid device name (expected a name such as eth0 or eth0:1)")]
    [InlineData("    address = 192.0.2.10 averyveryverylongname", "'averyveryverylongname' is not a valid device name (expected a name such as eth0 or eth0:1)")]
    [InlineData("    address = 192.0.2.10 eth/0", "'eth/0' is not a valid device name (expected a name such as eth0 or eth0:1)")]
    [InlineData("    address = 192.0.2.10", "'address' needs an IPv4 address and a device, such as '192.0.2.10 eth0:1'")]
    public void BadDevice(string line, string reason)
    {
        var errors = Lvs.Errors(Lvs.Lines("nat_router = 10.0.0.1 eth1", "virtual web {", "    active = 1", line, "    port = 80", "}"));
        Assert.Equal([$"lvs.cf:4: {reason}"], errors);
    }

    [Fact]
    public void BadChoice()
    {
        Assert.Equal(["lvs.cf:5: 'protocol' must be one of tcp, udp, not 'sctp'"], VirtualErrors("protocol = sctp"));
        Assert.Equal(["lvs.cf:5: 'load_monitor' must be one of none, uptime, ruptime, rup, rsh, ssh, not 'snmp'"], VirtualErrors("load_monitor = snmp"));
        Assert.Equal(["lvs.cf:1: 'debug_level' must be one of NONE, LOW, MEDIUM, HIGH, not 'DEBUG'"], GlobalErrors("debug_level = DEBUG"));
    }

    [Fact]
    public void UnknownScheduler()
    {
        Assert.Equal(["lvs.cf:5: unknown scheduler 'pcc' (known: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh, fo, ovf, twos)"],
            VirtualErrors("scheduler = pcc"));
    }

    [Theory]
    [InlineData("network = direct", "only network = nat is supported, not 'direct' (direct routing and tunnelling are not implemented)")]
    [InlineData("network = tunnel", "only network = nat is supported, not 'tunnel' (direct routing and tunnelling are not implemented)")]
    [InlineData("network = bridge", "'network' must be one of nat, direct, tunnel, not 'bridge'")]
    [InlineData("service = fos", "only service = lvs is supported, not 'fos' (failover services are not implemented)")]
    public void UnsupportedModes(string line, string reason)
    {
        Assert.Equal([$"lvs.cf:1: {reason}"], GlobalErrors(line));
    }

    [Fact]
    public void FwmarkServices_AreRefused()
    {
        Assert.Equal(["lvs.cf:5: fwmark virtual services are not supported; give the virtual an address and a port"], VirtualErrors("fwmark = 7"));
    }

    [Fact]
    public void MissingRequiredKeys()
    {
        var errors = Lvs.Errors(Lvs.Lines(
            "nat_router = 10.0.0.1 eth1",
            "virtual web {",
            "    active = 1",
            "    server rs1 {",
            "        active = 1",
            "    }",
            "}"));
        Assert.Equal([
            "lvs.cf:2: virtual 'web' has no 'address'",
            "lvs.cf:4: server 'rs1' has no 'address'",
        ], errors);
    }

    [Fact]
    public void BadValueOfARequiredKey_IsNotAlsoReportedMissing()
    {
        Assert.Equal(["lvs.cf:5: 'port' must be an integer from 1 to 65535, not '0'"],
            Lvs.Errors(Lvs.Lines("nat_router = 10.0.0.1 eth1", "virtual web {", "    active = 1", "    address = 192.0.2.10 eth0", "    port = 0", "}")));
    }

    [Fact]
    public void MissingNatRouter()
    {
        Assert.Equal(["lvs.cf:1: network = nat needs 'nat_router', the real servers' gateway address and its device (such as 'nat_router = 10.0.0.1 eth1')"],
            Lvs.Errors(Lvs.Lines(Lvs.WebVirtual)));
    }

    [Fact]
    public void DuplicateVirtualNameAndService()
    {
        var errors = Lvs.Errors(Lvs.Lines([
            "nat_router = 10.0.0.1 eth1",
            .. Lvs.WebVirtual,                       // lines 2..10
            "virtual web {",                         // 11: same name
            "    address = 192.0.2.10 eth0:1",
            "    port = 443",
            "}",
            "virtual web2 {",                        // 15: same TCP 192.0.2.10:80
            "    address = 192.0.2.10 eth0:1",
            "    port = 80",
            "}",
        ]));
        Assert.Equal([
            "lvs.cf:11: duplicate virtual 'web' (first defined at line 2)",
            "lvs.cf:15: virtual 'web2' has the same service (TCP 192.0.2.10:80) as virtual 'web' (line 2)",
        ], errors);
    }

    [Fact]
    public void SameAddressAndPortWithAnotherProtocol_IsAnotherService()
    {
        var config = Lvs.Load(Lvs.Lines([.. Lvs.WebVirtual, "virtual dns {", "    address = 192.0.2.10 eth0:1", "    port = 80", "    protocol = udp", "}",
            "nat_router = 10.0.0.1 eth1"]));
        Assert.Equal(2, config.VirtualServers.Count);
    }

    [Fact]
    public void OneVipOnTwoDevices()
    {
        var errors = Lvs.Errors(Lvs.Lines([
            "nat_router = 10.0.0.1 eth1",
            .. Lvs.WebVirtual,
            "virtual ssh {",
            "    address = 192.0.2.10 eth2",
            "    port = 22",
            "}",
        ]));
        Assert.Equal(["lvs.cf:12: virtual 'ssh' puts 192.0.2.10 on eth2 but virtual 'web' (line 2) puts it on eth0:1"], errors);
    }

    [Fact]
    public void DuplicateServerInOneVirtual()
    {
        var errors = Lvs.Errors(Lvs.Lines(
            "nat_router = 10.0.0.1 eth1",
            "virtual web {",
            "    address = 192.0.2.10 eth0",
            "    port = 80",
            "    server rs1 {",
            "        address = 10.0.0.11",
            "    }",
            "    server rs1 {",
            "        address = 10.0.0.12",
            "    }",
            "    server rs3 {",
            "        address = 10.0.0.11",
            "        port = 80",
            "    }",
            "}"));
        Assert.Equal([
            "lvs.cf:8: duplicate server 'rs1' in virtual 'web' (first defined at line 5)",
            "lvs.cf:11: server 'rs3' has the same address and port (10.0.0.11:80) as server 'rs1' (line 5)",
        ], errors);
    }

    [Fact]
    public void SameServerInTwoVirtuals_IsFine()
    {
        var config = Lvs.Load(Lvs.Lines([.. Lvs.WebVirtual, "virtual alt {", "    active = 1", "    address = 192.0.2.11 eth0:2", "    port = 80",
            "    server rs1 {", "        address = 10.0.0.11", "        active = 1", "    }", "}", "nat_router = 10.0.0.1 eth1"]));
        Assert.Equal(2, config.VirtualServers.Count);
    }

    [Fact]
    public void UnbalancedBraces()
    {
        Assert.Equal(["lvs.cf:2: unmatched '}'"], Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", "}", .. Lvs.WebVirtual])));
        Assert.Equal(["lvs.cf:2: virtual 'web' is never closed (missing '}')"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..^1]])));
        Assert.Equal(["lvs.cf:2: virtual 'web' is never closed (missing '}')", "lvs.cf:6: server 'rs1' is never closed (missing '}')"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..^2]])));
    }

    [Fact]
    public void BraceOnTheNextLine_IsReportedOnceAsPiranhaNeedsItOnTheHeader()
    {
        var errors = Lvs.Errors(Lvs.Lines([
            "nat_router = 10.0.0.1 eth1",
            "virtual web",
            "{",
            .. Lvs.WebVirtual[1..],
        ]));
        Assert.Equal(["lvs.cf:2: expected '{' after 'virtual web' on the same line"], errors);
    }

    [Fact]
    public void MisplacedBlocks()
    {
        Assert.Equal(["lvs.cf:1: a server block belongs inside a virtual block"],
            Lvs.Errors(Lvs.Lines(["server rs1 {", "    address = 10.0.0.11", "}", "nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual])));
        Assert.Equal(["lvs.cf:3: a failover block cannot be inside another block"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", "virtual web {", "    failover ftp {", "    }", .. Lvs.WebVirtual[1..]])));
        Assert.Equal(["lvs.cf:3: a virtual block cannot be inside another block"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", "virtual web {", "    virtual inner {", "    }", .. Lvs.WebVirtual[1..]])));
        Assert.Equal(["lvs.cf:2: 'virtual' needs a name: virtual NAME {"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", "virtual {", "}", .. Lvs.WebVirtual])));
    }

    [Fact]
    public void TextAfterABraceOrASettingOnTheHeaderLine()
    {
        Assert.Equal(["lvs.cf:10: unexpected text after '}' (put '}' on a line of its own)"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..^1], "} extra"])));
        Assert.Equal(["lvs.cf:2: expected 'virtual web {' with nothing else on the line"],
            Lvs.Errors(Lvs.Lines(["nat_router = 10.0.0.1 eth1", "virtual web { active = 1", .. Lvs.WebVirtual[2..]])));
    }

    [Fact]
    public void UnterminatedString()
    {
        Assert.Equal(["lvs.cf:5: unterminated string (the \" at column 12 is never closed)"], VirtualErrors("    send = \"GET / HTTP/1.0\\r\\n"));
        Assert.Equal(["lvs.cf:5: unterminated string (the \" at column 12 is never closed)"], VirtualErrors("    send = \"ends in an escaped quote\\\""));
    }

    [Fact]
    public void BadRegexWithUseRegex()
    {
        var errors = VirtualErrors("    use_regex = 1\n    expect = \"HTTP/1.(\"");
        Assert.Single(errors);
        Assert.StartsWith("lvs.cf:6: 'expect' is not a valid regular expression (use_regex = 1): ", errors[0]);
    }

    [Fact]
    public void EveryErrorOfTheFile_IsReported_InLineOrder()
    {
        var errors = Lvs.Errors(Lvs.Lines(
            "keepalive = fast",                      // 1
            "network = direct",                      // 2
            "nat_router = 10.0.0.1 eth1",            // 3
            "virtual web {",                         // 4
            "    address = 192.0.2.10 eth0",         // 5
            "    port = 80",                         // 6
            "    scheduler = best",                  // 7
            "    server rs1 {",                      // 8
            "        address = 10.0.0.300",          // 9
            "        weight = -1",                   // 10
            "    }",                                 // 11
            "}",                                     // 12
            "}"));                                   // 13
        Assert.Equal([
            "lvs.cf:1: 'keepalive' must be a number of seconds greater than 0, such as 2 or 0.5, not 'fast'",
            "lvs.cf:2: only network = nat is supported, not 'direct' (direct routing and tunnelling are not implemented)",
            "lvs.cf:7: unknown scheduler 'best' (known: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh, fo, ovf, twos)",
            "lvs.cf:9: 'address' must be an IPv4 address such as 192.0.2.10, not '10.0.0.300'",
            "lvs.cf:10: 'weight' must be an integer from 0 to 65535, not '-1'",
            "lvs.cf:13: unmatched '}'",
        ], errors);
    }

    [Fact]
    public void Warnings_DoNotFailTheLoad()
    {
        var text = Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..4], "    pmask = 255.255.255.0", .. Lvs.WebVirtual[4..]]);
        Assert.Single(Lvs.Load(text).VirtualServers);
        Assert.Equal(["lvs.cf:6: warning: 'pmask' has no effect without 'persistent'"], Lvs.Warnings(text));
    }

    [Fact]
    public void ActiveVirtualWithoutActiveServers_IsAWarning()
    {
        var text = Lvs.Lines(["nat_router = 10.0.0.1 eth1", .. Lvs.WebVirtual[..6], "        active = 0", .. Lvs.WebVirtual[7..]]);
        Assert.Equal(["lvs.cf:2: warning: virtual 'web' is active but none of its servers is"], Lvs.Warnings(text));
    }
}
