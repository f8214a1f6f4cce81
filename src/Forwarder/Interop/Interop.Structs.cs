using System.Runtime.InteropServices;

// Blittable mirrors of the kernel structures the AF_PACKET backend exchanges with the kernel.
// Layouts follow the C declarations field by field (x86-64 and arm64 alike).
internal static partial class Interop
{
    /// <summary>struct sockaddr_ll: 20 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockAddrLl
    {
        public ushort sll_family;
        public ushort sll_protocol;   // big-endian
        public int sll_ifindex;
        public ushort sll_hatype;
        public byte sll_pkttype;
        public byte sll_halen;
        public fixed byte sll_addr[8];
    }

    /// <summary>struct tpacket_req: ring geometry for TPACKET_V1/V2 (fixed-size frames).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TPacketReq
    {
        public uint tp_block_size;
        public uint tp_block_nr;
        public uint tp_frame_size;
        public uint tp_frame_nr;
    }

    /// <summary>struct tpacket_req3: ring geometry for TPACKET_V3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TPacketReq3
    {
        public uint tp_block_size;
        public uint tp_block_nr;
        public uint tp_frame_size;
        public uint tp_frame_nr;
        public uint tp_retire_blk_tov;
        public uint tp_sizeof_priv;
        public uint tp_feature_req_word;
    }

    /// <summary>struct tpacket_stats_v3: counters that reset on every read. For TPACKET_V1/V2 the
    /// kernel fills only the first two (struct tpacket_stats) and leaves tp_freeze_q_cnt alone.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TPacketStatsV3
    {
        public uint tp_packets;
        public uint tp_drops;
        public uint tp_freeze_q_cnt;
    }

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockFilter
    {
        public ushort code;
        public byte jt;
        public byte jf;
        public uint k;
    }

    /// <summary>struct sock_fprog: a classic BPF program (length + pointer).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockFProg
    {
        public ushort len;
        public SockFilter* filter;
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    /// <summary>struct ifreq as SIOCGIFHWADDR fills it: name, then a struct sockaddr (40 bytes in all).</summary>
    [StructLayout(LayoutKind.Sequential)]
    /// <summary>struct ifreq (40 bytes): the name, then a union read as SIOCGIFHWADDR's sockaddr or SIOCGIFMTU's int.</summary>
    internal unsafe struct IfReq
    {
        public fixed byte ifr_name[16];
        public ushort sa_family;     // ifr_hwaddr.sa_family
        public fixed byte sa_data[14];
        private fixed byte _pad[8];

        /// <summary>ifr_mtu: the union's first int, where the sockaddr's family and first data bytes are.</summary>
        public int Mtu
        {
            get
            {
                fixed (ushort* union = &sa_family) return *(int*)union;
            }
        }
    }
}
