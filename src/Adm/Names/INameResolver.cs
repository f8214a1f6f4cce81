using UserLvs.Scheduling;

namespace UserLvs.Adm.Names;

/// <summary>
/// The four look-ups ipvsadm makes through the C library: gethostbyname / gethostbyaddr for hosts,
/// getservbyname / getservbyport for ports. A null protocol stands for a service named before its
/// protocol is known (ipvsadm's -r given before -t): no port name resolves then.
/// </summary>
public interface INameResolver
{
    IPv4Address? HostAddress(string name);

    string? HostName(IPv4Address address);

    int? ServicePort(string name, Protocol? protocol);

    string? ServiceName(ushort port, Protocol protocol);
}
