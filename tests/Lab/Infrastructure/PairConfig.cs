using System.Globalization;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>
/// The lvs.cf both routers of a <see cref="RouterPairLab"/> run: pulse between the primary
/// (192.0.2.1 / 10.0.0.2) and the backup (192.0.2.2 / 10.0.0.3) over both networks, authenticated
/// with the lab's key, connection sync on, the floating NAT router address 10.0.0.1 on priv0, and the
/// HTTP (rr, port 80) and UDP echo (rr, port 5353) services of the single-router lab.
/// </summary>
public static class PairConfig
{
    public static string Text(string keyPath, double keepalive = 0.01, double deadtime = 0.03, bool syncDaemon = true) => $$"""
        serial_no = 1
        primary = 192.0.2.1
        primary_private = 10.0.0.2
        backup = 192.0.2.2
        backup_private = 10.0.0.3
        backup_active = 1
        service = lvs
        heartbeat = 1
        heartbeat_port = 539
        heartbeat_key_file = {{keyPath}}
        keepalive = {{keepalive.ToString(CultureInfo.InvariantCulture)}}
        deadtime = {{deadtime.ToString(CultureInfo.InvariantCulture)}}
        network = nat
        nat_router = 10.0.0.1 priv0
        nat_nmask = 255.255.255.0
        syncdaemon = {{(syncDaemon ? 1 : 0)}}

        virtual http {
            active = 1
            address = 192.0.2.10 pub0:1
            port = 80
            protocol = tcp
            scheduler = rr
        {{Servers()}}
        }

        virtual echo {
            active = 1
            address = 192.0.2.10 pub0:1
            port = 5353
            protocol = udp
            scheduler = rr
        {{Servers()}}
        }

        """;

    private static string Servers() => string.Concat(Enumerable.Range(1, 3).Select(i => LabConfig.Server(i))).TrimEnd('\n');
}
