namespace UserLvs.Forwarder.IO;

/// <summary>
/// Where the client's address and port sit in frames arriving on an interface. In LVS-NAT the client
/// is the source of a request on the public interface and the destination of the reply on the private
/// interface; hashing the client on both keeps one connection on one worker.
/// </summary>
public enum ClientSide
{
    /// <summary>Public interface: hash the IPv4 source address and the L4 source port.</summary>
    Source,

    /// <summary>Private interface: hash the IPv4 destination address and the L4 destination port.</summary>
    Destination,
}
