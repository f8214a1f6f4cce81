using System.Runtime.InteropServices;

// Blittable kernel structures for PACKET_TX_RING.
internal static partial class Interop
{
    /// <summary>struct tpacket_req: the TX ring's geometry (blocks of fixed-size frames).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TPacketReq
    {
        public uint BlockSize;
        public uint BlockCount;
        public uint FrameSize;
        public uint FrameCount;
    }

    /// <summary>struct sockaddr_ll (20 bytes): binds the socket to one interface.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;   // network byte order
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public fixed byte Addr[8];
    }

    /// <summary>The head of struct tpacket2_hdr that a sender writes: status and length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TPacket2Head
    {
        public uint Status;
        public uint Len;
        public uint SnapLen;
        public ushort Mac;
        public ushort Net;
    }
}
