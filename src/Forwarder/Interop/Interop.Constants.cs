// C constants of <linux/if_packet.h>, <linux/if_ether.h>, <sys/socket.h>, <sys/mman.h>, <poll.h>
// and <linux/filter.h>, under their C names so they can be checked against the headers by eye.
internal static partial class Interop
{
    // Address families, socket types, levels.
    internal const int AF_INET = 2;
    internal const int AF_PACKET = 17;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int SOL_PACKET = 263;
    internal const int SOL_SOCKET = 1;
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_TRUNC = 0x20;

    // Socket-level options.
    internal const int SO_ERROR = 4;
    internal const int SO_RCVBUF = 8;
    internal const int SO_RCVBUFFORCE = 33;

    // Ethernet protocol numbers (host order; SockAddrLl and socket() want them big-endian).
    internal const ushort ETH_P_ALL = 0x0003;
    internal const ushort ETH_P_IP = 0x0800;
    internal const ushort ETH_P_8021Q = 0x8100;

    // Packet socket options.
    internal const int PACKET_RX_RING = 5;
    internal const int PACKET_STATISTICS = 6;
    internal const int PACKET_COPY_THRESH = 7;
    internal const int PACKET_VERSION = 10;
    internal const int PACKET_TX_RING = 13;
    internal const int PACKET_LOSS = 14;
    internal const int PACKET_VNET_HDR = 15;
    internal const int PACKET_FANOUT = 18;
    internal const int PACKET_QDISC_BYPASS = 20;
    internal const int PACKET_FANOUT_DATA = 22;
    internal const int PACKET_IGNORE_OUTGOING = 23;

    internal const int TPACKET_V2 = 1;
    internal const int TPACKET_V3 = 2;

    internal const int PACKET_FANOUT_HASH = 0;
    internal const int PACKET_FANOUT_CPU = 2;
    internal const int PACKET_FANOUT_CBPF = 6;
    internal const int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;

    // Ring status words: RX (block and frame) and TX (frame).
    internal const uint TP_STATUS_KERNEL = 0;
    internal const uint TP_STATUS_USER = 1 << 0;
    internal const uint TP_STATUS_COPY = 1 << 1;
    internal const uint TP_STATUS_LOSING = 1 << 2;
    internal const uint TP_STATUS_CSUMNOTREADY = 1 << 3;
    internal const uint TP_STATUS_VLAN_VALID = 1 << 4;
    internal const uint TP_STATUS_BLK_TMO = 1 << 5;
    internal const uint TP_STATUS_CSUM_VALID = 1 << 7;
    internal const uint TP_STATUS_AVAILABLE = 0;
    internal const uint TP_STATUS_SEND_REQUEST = 1 << 0;
    internal const uint TP_STATUS_SENDING = 1 << 1;
    internal const uint TP_STATUS_WRONG_FORMAT = 1 << 2;

    // tpacket3_hdr is 48 bytes; TPACKET3_HDRLEN adds a SockAddrLl. A TX frame's data starts at
    // TPACKET3_HDRLEN - sizeof(SockAddrLl) = 48 unless PACKET_TX_HAS_OFF is set.
    internal const int TPACKET3_HDR_SIZE = 48;

    // tpacket2_hdr is 32 bytes: tp_status 0, tp_len 4, tp_snaplen 8, tp_mac 12, tp_net 14, tp_sec 16,
    // tp_nsec 20, tp_vlan_tci 24, tp_vlan_tpid 26. A TX frame's data starts at 32 (TPACKET2_HDRLEN - 20).
    internal const int TPACKET2_HDR_SIZE = 32;
    internal const int TPACKET_ALIGNMENT = 16;

    // mmap
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_POPULATE = 0x8000;

    // poll
    internal const short POLLIN = 0x001;
    internal const short POLLERR = 0x008;
    internal const short POLLHUP = 0x010;
    internal const short POLLNVAL = 0x020;

    // ioctl, setns
    internal const uint SIOCGIFHWADDR = 0x8927;
    internal const uint SIOCGIFMTU = 0x8921;
    internal const int CLONE_NEWNET = 0x40000000;

    // errno values the data path reacts to.
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENETDOWN = 100;
    internal const int ENOBUFS = 105;

    // Classic BPF (linux/filter.h, linux/bpf_common.h).
    internal const ushort BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_ALU = 0x04, BPF_JMP = 0x05,
        BPF_RET = 0x06, BPF_MISC = 0x07;
    internal const ushort BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
    internal const ushort BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_MSH = 0xa0;
    internal const ushort BPF_MUL = 0x20, BPF_RSH = 0x70, BPF_MOD = 0x90, BPF_XOR = 0xa0;
    internal const ushort BPF_ADD = 0x00, BPF_AND = 0x50, BPF_LSH = 0x60;
    internal const ushort BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JSET = 0x40;
    internal const ushort BPF_K = 0x00, BPF_X = 0x08, BPF_A = 0x10;
    internal const ushort BPF_TAX = 0x00;
    internal const int SKF_AD_OFF = -0x1000;
    internal const int SKF_NET_OFF = -0x100000;
    internal const int SKF_LL_OFF = -0x200000;
}
