namespace UserLvs.Forwarder.Connections;

/// <summary>
/// Which way a packet of a NAT connection travels (IPVS's IP_VS_DIR_INPUT / IP_VS_DIR_OUTPUT):
/// input is client to real server (arriving on the VIP), output is the real server's reply.
/// </summary>
public enum ConnectionDirection : byte
{
    Input = 0,
    Output = 1,
}
