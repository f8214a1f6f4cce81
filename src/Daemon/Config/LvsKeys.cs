using System.Collections.Frozen;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

internal enum LvsScope : byte
{
    Global,
    Virtual,
    Server,
}

internal delegate bool LvsValueParser(string key, IReadOnlyList<LvsToken> values, out object? value, out string? error);

/// <summary>
/// One lvs.cf key: the block it belongs to and how its value is read. <see cref="IgnoredBecause"/>
/// marks a Piranha key that is accepted (and checked) but has no effect here: a warning, so that a
/// real Piranha file still loads.
/// </summary>
internal sealed record LvsKey(string Name, LvsScope Scope, LvsValueParser Parse, string? IgnoredBecause = null);

/// <summary>
/// Every key of lvs.cf(5) that userlvsd knows, per block, as Piranha's lvsconfig.c defines them, plus
/// new ones (heartbeat_key_file, garp_count, garp_interval, failback_delay, check_interval). A lookup is one frozen-dictionary probe.
/// </summary>
internal static class LvsKeys
{
    private static readonly LvsKey[] All =
    [
        // Global settings (Piranha's parseConfiguration).
        new("serial_no", LvsScope.Global, Integer(0, 999_999_999_999_999_999)),
        new("primary", LvsScope.Global, Address(allowZero: false)),
        new("primary_private", LvsScope.Global, Address(allowZero: false)),
        new("backup", LvsScope.Global, Address(allowZero: true)),
        new("backup_private", LvsScope.Global, Address(allowZero: true)),
        new("backup_active", LvsScope.Global, Bool),
        new("service", LvsScope.Global, Refusing(["lvs"], ["fos"],
            v => $"only service = lvs is supported, not '{v}' (failover services are not implemented)")),
        new("heartbeat", LvsScope.Global, Bool),
        new("heartbeat_port", LvsScope.Global, Integer(1, 65535)),
        new("keepalive", LvsScope.Global, Seconds(allowZero: false)),
        new("deadtime", LvsScope.Global, Seconds(allowZero: false)),
        new("network", LvsScope.Global, Refusing(["nat"], ["direct", "tunnel"],
            v => $"only network = nat is supported, not '{v}' (direct routing and tunnelling are not implemented)")),
        new("nat_router", LvsScope.Global, AddressAndDevice("10.0.0.1 eth1:1")),
        new("nat_nmask", LvsScope.Global, Netmask),
        new("syncdaemon", LvsScope.Global, Bool),
        new("syncd_iface", LvsScope.Global, Device),
        new("syncd_id", LvsScope.Global, Integer(0, 255)),
        new("tcp_timeout", LvsScope.Global, Integer(0, int.MaxValue / 1000)),
        new("tcpfin_timeout", LvsScope.Global, Integer(0, int.MaxValue / 1000)),
        new("udp_timeout", LvsScope.Global, Integer(0, int.MaxValue / 1000)),
        new("active_cmd", LvsScope.Global, Text(allowEmpty: false)),
        new("inactive_cmd", LvsScope.Global, Text(allowEmpty: false)),
        new("hard_shutdown", LvsScope.Global, Bool),
        new("debug_level", LvsScope.Global, Choice<LvsDebugLevel>(ignoreCase: true)),
        new("heartbeat_key_file", LvsScope.Global, Text(allowEmpty: false)),
        new("garp_count", LvsScope.Global, Integer(1, 100)),
        new("garp_interval", LvsScope.Global, Seconds(allowZero: true)),
        new("failback_delay", LvsScope.Global, Seconds(allowZero: true)),
        new("monitor_links", LvsScope.Global, Bool, "userlvsd does not check link states"),
        new("rsh_command", LvsScope.Global, Text(allowEmpty: false), "userlvsd does not synchronise files"),
        new("sync", LvsScope.Global, Bool, "userlvsd does not synchronise files"),
        new("ipvsadm", LvsScope.Global, Text(allowEmpty: false), "userlvsd runs no ipvsadm"),
        new("primary_shared", LvsScope.Global, Text(allowEmpty: false), "userlvsd has no shared SCSI support"),
        new("backup_shared", LvsScope.Global, Text(allowEmpty: false), "userlvsd has no shared SCSI support"),
        new("reservation_conflict_action", LvsScope.Global, Refusing(["nothing", "preempt"], [], v => $"'reservation_conflict_action' must be one of nothing, preempt, not '{v}'"),
            "userlvsd has no shared SCSI support"),

        // Virtual server settings (Piranha's parseVirtualServer) and the new check_interval.
        new("address", LvsScope.Virtual, AddressAndDevice("192.0.2.10 eth0:1")),
        new("vip_nmask", LvsScope.Virtual, Netmask),
        new("port", LvsScope.Virtual, Integer(1, 65535)),
        new("protocol", LvsScope.Virtual, Choice<Protocol>(ignoreCase: false, lowerCase: true)),
        new("active", LvsScope.Virtual, Bool),
        new("scheduler", LvsScope.Virtual, Scheduler),
        new("persistent", LvsScope.Virtual, Integer(0, 86400 * 31)),
        new("pmask", LvsScope.Virtual, Netmask),
        new("send", LvsScope.Virtual, Text(allowEmpty: true)),
        new("expect", LvsScope.Virtual, Text(allowEmpty: true)),
        new("use_regex", LvsScope.Virtual, Bool),
        new("send_program", LvsScope.Virtual, Text(allowEmpty: false)),
        new("load_monitor", LvsScope.Virtual, Choice<LvsLoadMonitor>(ignoreCase: false, lowerCase: true)),
        new("timeout", LvsScope.Virtual, Seconds(allowZero: false)),
        new("reentry", LvsScope.Virtual, Seconds(allowZero: true)),
        new("quiesce_server", LvsScope.Virtual, Bool),
        new("sorry_server", LvsScope.Virtual, SorryServer),
        new("check_interval", LvsScope.Virtual, Seconds(allowZero: false)),
        new("fwmark", LvsScope.Virtual, (string _, IReadOnlyList<LvsToken> _, out object? value, out string? error) =>
        {
            value = null;
            error = "fwmark virtual services are not supported; give the virtual an address and a port";
            return false;
        }),
        new("client_monitor", LvsScope.Virtual, Text(allowEmpty: false), "userlvsd runs its own health checks"),

        // Real server settings (Piranha's parseActualServer).
        new("address", LvsScope.Server, Address(allowZero: false)),
        new("port", LvsScope.Server, Integer(1, 65535)),
        new("active", LvsScope.Server, Bool),
        new("weight", LvsScope.Server, Integer(0, 65535)),
    ];

    private static readonly FrozenDictionary<(LvsScope, string), LvsKey> ByScope =
        All.ToFrozenDictionary(k => (k.Scope, k.Name));

    private static readonly FrozenDictionary<string, LvsScope> HomeOf =
        All.GroupBy(k => k.Name).ToFrozenDictionary(g => g.Key, g => g.First().Scope, StringComparer.Ordinal);

    public static LvsKey? Find(LvsScope scope, string name) => ByScope.GetValueOrDefault((scope, name));

    /// <summary>Where a key that is not allowed in <paramref name="scope"/> belongs, or null when it is unknown everywhere.</summary>
    public static LvsScope? HomeScope(string name) => HomeOf.TryGetValue(name, out var scope) ? scope : null;

    // ---- value readers -------------------------------------------------------------------------

    private static LvsValueParser One(Func<string, string, (object? Value, string? Error)> read) =>
        (string key, IReadOnlyList<LvsToken> values, out object? value, out string? error) =>
        {
            value = null;
            if (!ExactlyOne(key, values, out error)) return false;
            (value, error) = read(key, values[0].Text);
            return error is null;
        };

    private static bool ExactlyOne(string key, IReadOnlyList<LvsToken> values, out string? error)
    {
        error = values.Count switch
        {
            0 => $"'{key}' needs a value",
            1 when values[0].Kind is LvsTokenKind.Word or LvsTokenKind.Quoted => null,
            _ => $"'{key}' takes one value, not {values.Count}; quote a value that contains blanks, '=', '{{' or '}}'",
        };
        return error is null;
    }

    private static LvsValueParser Bool => One((key, text) =>
        LvsValues.TryBool(key, text, out bool b, out var e) ? (b, null) : (null, e));

    private static LvsValueParser Integer(long min, long max) => One((key, text) =>
        LvsValues.TryInteger(key, text, min, max, out long n, out var e) ? (n, null) : (null, e));

    private static LvsValueParser Seconds(bool allowZero) => One((key, text) =>
        LvsValues.TrySeconds(key, text, allowZero, out var t, out var e) ? (t, null) : (null, e));

    private static LvsValueParser Netmask => One((key, text) =>
        LvsValues.TryNetmask(key, text, out var m, out var e) ? (m, null) : (null, e));

    private static LvsValueParser Device => One((_, text) =>
        LvsValues.TryDevice(text, out var e) ? (text, null) : (null, e));

    private static LvsValueParser Address(bool allowZero) => One((key, text) =>
    {
        if (!LvsValues.TryAddress(key, text, out var a, out var e)) return (null, e);
        if (a == IPv4Address.Any && !allowZero) return (null, $"'{key}' must not be 0.0.0.0");
        return (a, null);
    });

    private static LvsValueParser Text(bool allowEmpty) => One((key, text) =>
        text.Length > 0 || allowEmpty ? (text, null) : (null, $"'{key}' must not be empty"));

    private static LvsValueParser Choice<TEnum>(bool ignoreCase, bool lowerCase = false) where TEnum : struct, Enum
    {
        var names = Enum.GetNames<TEnum>().Select(n => lowerCase ? n.ToLowerInvariant() : n.ToUpperInvariant()).ToArray();
        return One((key, text) =>
        {
            foreach (var name in names)
                if (string.Equals(name, text, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                    return (Enum.Parse<TEnum>(name, ignoreCase: true), null);
            return (null, $"'{key}' must be one of {string.Join(", ", names)}, not '{text}'");
        });
    }

    /// <summary>A word from <paramref name="accepted"/>; one from <paramref name="refused"/> gets its own message.</summary>
    private static LvsValueParser Refusing(string[] accepted, string[] refused, Func<string, string> refusal) => One((key, text) =>
    {
        if (accepted.Contains(text, StringComparer.Ordinal)) return (text, null);
        if (refused.Contains(text, StringComparer.Ordinal)) return (null, refusal(text));
        return (null, $"'{key}' must be one of {string.Join(", ", accepted.Concat(refused))}, not '{text}'");
    });

    private static LvsValueParser Scheduler => One((_, text) => SchedulerRegistry.IsKnown(text)
        ? (text, null)
        : (null, $"unknown scheduler '{text}' (known: {string.Join(", ", SchedulerRegistry.Names)})"));

    private static LvsValueParser AddressAndDevice(string example) =>
        (string key, IReadOnlyList<LvsToken> values, out object? value, out string? error) =>
        {
            value = null;
            error = null;
            if (values.Count != 2 || values[0].Kind != LvsTokenKind.Word || values[1].Kind != LvsTokenKind.Word)
                error = $"'{key}' needs an IPv4 address and a device, such as '{example}'";
            else if (!LvsValues.TryAddress(key, values[0].Text, out var address, out error)) { }
            else if (address == IPv4Address.Any) error = $"'{key}' must not be 0.0.0.0";
            else if (LvsValues.TryDevice(values[1].Text, out error)) value = new InterfaceAddress(address, values[1].Text);
            return error is null;
        };

    /// <summary>sorry_server = ADDRESS, ADDRESS PORT or ADDRESS:PORT; a missing port is 0 here and becomes the virtual's port.</summary>
    private static LvsValueParser SorryServer =>
        (string key, IReadOnlyList<LvsToken> values, out object? value, out string? error) =>
        {
            value = null;
            error = $"'{key}' needs an IPv4 address and an optional port, such as '10.0.0.99' or '10.0.0.99 8080'";
            if (values.Count is 0 or > 2 || values.Any(v => v.Kind != LvsTokenKind.Word)) return false;
            string addressText = values[0].Text;
            string? portText = values.Count == 2 ? values[1].Text : null;
            int colon = addressText.IndexOf(':');
            if (colon >= 0 && portText is null) (addressText, portText) = (addressText[..colon], addressText[(colon + 1)..]);
            if (!LvsValues.TryAddress(key, addressText, out var address, out error)) return false;
            if (address == IPv4Address.Any) { error = $"'{key}' must not be 0.0.0.0"; return false; }
            long port = 0;
            if (portText is not null && !LvsValues.TryInteger(key, portText, 1, 65535, out port, out error))
            {
                error = $"the port of '{key}' must be an integer from 1 to 65535, not '{portText}'";
                return false;
            }
            value = new LvsSorryServer(address, (ushort)port);
            return true;
        };
}
