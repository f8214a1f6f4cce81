using System.Net;
using UserLvs.Scheduling;

namespace UserLvs.Health.Monitoring;

/// <summary>What one monitor watches: the real server ADDRESS:PORT of one virtual service (a server in two services has two monitors, as in Piranha).</summary>
public readonly record struct RealServerId(VirtualServiceKey Service, IPv4Address Address, ushort Port)
{
    public IPEndPoint EndPoint => new(Address.ToIPAddress(), Port);

    public override string ToString() => $"{Address}:{Port} of {Service}";
}
