namespace UserLvs.Forwarder.IO;

/// <summary>
/// PACKET_FANOUT membership: sockets on one interface that share an <see cref="Id"/> split its
/// traffic. With a <see cref="Program"/> (PACKET_FANOUT_CBPF) the split follows the client, so both
/// directions of a NAT connection meet on one worker; without one the kernel's flow hash
/// (PACKET_FANOUT_HASH) splits it, which keeps a flow together but not its reply.
/// Use a different id per interface; join in worker order.
/// </summary>
public sealed record FanoutGroup(ushort Id, FanoutProgram? Program = null, bool Defragment = false);
