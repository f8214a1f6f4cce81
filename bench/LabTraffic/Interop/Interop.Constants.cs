// Linux constants for an AF_PACKET TX ring (linux/if_packet.h, linux/socket.h, sys/mman.h).
internal static partial class Interop
{
    internal const int AF_PACKET = 17;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int SOL_PACKET = 263;
    internal const int PACKET_VERSION = 10;
    internal const int PACKET_TX_RING = 13;
    internal const int PACKET_LOSS = 14;
    internal const int PACKET_QDISC_BYPASS = 20;
    internal const int TPACKET_V2 = 1;

    internal const int PROT_READ = 1;
    internal const int PROT_WRITE = 2;
    internal const int MAP_SHARED = 1;

    // tpacket2_hdr is 32 bytes; a TX frame's data starts at TPACKET2_HDRLEN - sizeof(sockaddr_ll) = 32.
    internal const int TPACKET2_HDR_SIZE = 32;
    internal const int TPACKET_ALIGNMENT = 16;
    internal const uint TP_STATUS_AVAILABLE = 0;
    internal const uint TP_STATUS_SEND_REQUEST = 1;

    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENOBUFS = 105;
}
