namespace UserLvs.Forwarder.IO;

/// <summary>
/// The packet I/O a router's ports use (userlvsd --io):
///   Ring   (ring):    AF_PACKET, TPACKET_V2 RX ring (each frame handed over as it lands) + TX ring,
///                     PACKET_VNET_HDR; the default: lowest latency, fanout over several workers.
///   RingV3 (ring-v3): the same with a TPACKET_V3 RX ring (blocks, retired when full or after 1 ms):
///                     fewer wake-ups under a flood, up to a millisecond more per quiet round trip.
///   Pcap   (pcap):    libpcap through SharpPcap: portable, one send per frame, no offload metadata,
///                     no fanout (one worker only).
/// </summary>
public enum PortBackend
{
    Ring,
    RingV3,
    Pcap,
}
