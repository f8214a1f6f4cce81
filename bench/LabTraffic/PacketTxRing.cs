using System.Runtime.InteropServices;
using static Interop;

namespace UserLvs.LabTraffic;

/// <summary>
/// An AF_PACKET socket with a TPACKET_V2 TX ring on one interface, the cheapest way to put frames on
/// a veth from userspace: frames are written into the shared ring once, then each round marks up to
/// a batch of free slots TP_STATUS_SEND_REQUEST and one sendto(2) transmits them all. With
/// PACKET_QDISC_BYPASS the kernel hands each frame straight to the driver (no qdisc), so on veth the
/// whole receive path behind it runs in this thread's syscall (the peer's softirq work is charged
/// to the sender, as NOTES.md says). The socket has protocol 0: it receives nothing.
///
/// Cost: O(batch) status writes and one syscall per round; no allocation after Open.
/// </summary>
public sealed unsafe class PacketTxRing : IDisposable
{
    private const int DataOffset = TPACKET2_HDR_SIZE;
    private readonly int _fd;
    private readonly byte* _map;
    private readonly nuint _mapLength;
    private readonly int _frameSize;
    private readonly int _blockSize;
    private readonly int _framesPerBlock;
    private int _next;

    public int FrameCount { get; }

    private PacketTxRing(int fd, byte* map, nuint mapLength, int frameSize, int blockSize, int frameCount)
    {
        _fd = fd;
        _map = map;
        _mapLength = mapLength;
        _frameSize = frameSize;
        _blockSize = blockSize;
        _framesPerBlock = blockSize / frameSize;
        FrameCount = frameCount;
    }

    /// <summary>Opens the ring on <paramref name="device"/> with room for <paramref name="frameCount"/> frames of up to <paramref name="maxFrame"/> bytes.</summary>
    public static PacketTxRing Open(string device, int frameCount, int maxFrame)
    {
        uint ifindex = IfNameToIndex(device);
        if (ifindex == 0) throw new IOException($"{device}: no such interface in this network namespace");
        int frameSize = Align(DataOffset + maxFrame, TPACKET_ALIGNMENT);
        int blockSize = Environment.SystemPageSize;
        while (blockSize < frameSize) blockSize *= 2;
        int perBlock = blockSize / frameSize;
        int blocks = (frameCount + perBlock - 1) / perBlock;
        frameCount = blocks * perBlock;

        int fd = Socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Fail(device, "socket(AF_PACKET) (needs CAP_NET_RAW)");
        try
        {
            SetInt(fd, device, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION");
            SetInt(fd, device, PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            SetInt(fd, device, PACKET_LOSS, 1, "PACKET_LOSS");
            var req = new TPacketReq { BlockSize = (uint)blockSize, BlockCount = (uint)blocks, FrameSize = (uint)frameSize, FrameCount = (uint)frameCount };
            if (SetSockOpt(fd, SOL_PACKET, PACKET_TX_RING, &req, (uint)sizeof(TPacketReq)) != 0) throw Fail(device, "PACKET_TX_RING");
            nuint length = (nuint)blockSize * (nuint)blocks;
            void* map = Mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (map == (void*)-1) throw Fail(device, "mmap of the TX ring");
            // Protocol 0: bound for sending only, so no received frame is ever queued to this socket;
            // the kernel takes each frame's protocol from its Ethernet header.
            var address = new SockAddrLl { Family = AF_PACKET, Protocol = 0, IfIndex = (int)ifindex };
            if (Bind(fd, &address, (uint)sizeof(SockAddrLl)) != 0)
            {
                Munmap(map, length);
                throw Fail(device, "bind");
            }
            return new PacketTxRing(fd, (byte*)map, length, frameSize, blockSize, frameCount);
        }
        catch
        {
            Close(fd);
            throw;
        }
    }

    /// <summary>The data area of slot <paramref name="index"/>, to write its frame once at start.</summary>
    public Span<byte> Frame(int index, int length)
    {
        var head = Head(index);
        head->Len = (uint)length;
        return new Span<byte>((byte*)head + DataOffset, length);
    }

    /// <summary>Marks up to <paramref name="batch"/> free slots (in ring order) for sending; returns how many.
    /// Each slot keeps the frame written at start and the length set then.</summary>
    public int Queue(int batch)
    {
        int queued = 0;
        while (queued < batch)
        {
            var head = Head(_next);
            if (Volatile.Read(ref head->Status) != TP_STATUS_AVAILABLE) break;
            Volatile.Write(ref head->Status, TP_STATUS_SEND_REQUEST);
            queued++;
            if (++_next == FrameCount) _next = 0;
        }
        return queued;
    }

    /// <summary>One sendto(2): the kernel transmits every slot marked for sending. False when the
    /// device pushed back (ENOBUFS/EAGAIN); the marked slots stay marked and go with the next flush.</summary>
    public bool Flush()
    {
        nint sent = SendTo(_fd, null, 0, 0, null, 0);
        if (sent >= 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is ENOBUFS or EAGAIN or EINTR) return false;
        throw new IOException($"sendto on the TX ring failed: errno {errno}");
    }

    // Frames never straddle blocks: a block holds blockSize / frameSize of them and the rest is unused.
    private TPacket2Head* Head(int index) =>
        (TPacket2Head*)(_map + (long)(index / _framesPerBlock) * _blockSize + (index % _framesPerBlock) * _frameSize);

    private static void SetInt(int fd, string device, int name, int value, string what)
    {
        if (SetSockOpt(fd, SOL_PACKET, name, &value, sizeof(int)) != 0) throw Fail(device, what);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) & ~(alignment - 1);

    private static IOException Fail(string device, string what) =>
        new($"{device}: {what} failed: errno {Marshal.GetLastPInvokeError()}");

    public void Dispose()
    {
        Munmap(_map, _mapLength);
        Close(_fd);
    }
}
