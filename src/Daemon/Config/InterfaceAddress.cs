using UserLvs.Scheduling;

namespace UserLvs.Daemon.Config;

/// <summary>
/// An address and the device it lives on, as lvs.cf writes them (<c>192.0.2.10 eth0:1</c>): Piranha
/// puts a VIP on an alias label of the public device. The alias is only a label; the interface that
/// carries the frames is <see cref="BaseDevice"/> (eth0:1 -> eth0).
/// </summary>
public readonly record struct InterfaceAddress(IPv4Address Address, string Device)
{
    /// <summary>The interface name without its alias label (the part before ':').</summary>
    public string BaseDevice
    {
        get
        {
            int colon = Device.IndexOf(':');
            return colon < 0 ? Device : Device[..colon];
        }
    }

    public override string ToString() => $"{Address} {Device}";
}
