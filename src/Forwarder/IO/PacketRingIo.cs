using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// The AF_PACKET backend: one packet socket bound to one interface, an RX ring and a TX ring in one
/// shared mapping. The RX ring is TPACKET_V2 (default) or TPACKET_V3 (<see cref="RxRingVersion"/>).
///
///   RX V2: fixed slots, each with its own tp_status. The kernel fills slot after slot and wakes poll(2)
///       per frame; Receive walks ready slots in order, ReleaseReceived flips them back to
///       TP_STATUS_KERNEL. A frame bigger than a slot (GRO/GSO super-frame) arrives cut with
///       TP_STATUS_COPY, and the kernel has already queued its whole copy on the socket (PACKET_COPY_THRESH):
///       Receive reads it with one recv(2) into a preallocated spill buffer, so the frame is delivered
///       whole, in order. Without room in the socket's receive buffer it stays cut and is counted.
///   RX V3: the kernel fills blocks of variable-size frames and flips block_status to TP_STATUS_USER
///       when a block is full or its timer fires; Receive walks them in place (tp_next_offset),
///       ReleaseReceived flips fully read blocks back. poll(2) sleeps until a block is handed over.
///   TX: fixed slots; AcquireTx returns the next slot if its status is TP_STATUS_AVAILABLE, CommitTx
///       writes tp_len (+ virtio_net_hdr) and marks it TP_STATUS_SEND_REQUEST, FlushTx makes one
///       sendto(2) that sends every marked slot. With PACKET_VNET_HDR the header precedes the frame
///       in the slot and the kernel segments GSO frames and finishes checksums (measured: works on the
///       TX ring; tests/Forwarder/IO prove it). PACKET_LOSS is set so a malformed slot is skipped
///       instead of stalling the ring. The slot header is the RX ring's version (one per socket).
///
/// O(1) per frame, no copy except the recv of an oversized V2 frame. Setup allocates and throws with the
/// interface's name; the per-frame paths do neither. A socket error (ENETDOWN: the device went down)
/// is read and counted by the wait methods so poll(2) does not report it again and again; a deleted
/// device makes them throw, naming it, so a worker stops instead of waiting on nothing.
///
/// Files: this one (socket, rings and mapping set up and torn down, statistics, errors); .Rx; .Tx.
/// </summary>
public sealed unsafe partial class PacketRingIo : IFrameIo
{
    private readonly SafePacketSocketHandle _socket;
    private readonly int _fd;
    private byte* _map;
    private readonly nuint _mapLength;
    private readonly bool _v2;

    // RX, TPACKET_V3
    private readonly byte* _rx;
    private readonly int _blockSize;
    private readonly int _blockCount;
    private int _nextBlock;      // next block to open
    private int _oldestHeld;     // oldest block opened and not released
    private int _heldBlocks;
    private byte* _packet;       // next frame in the open block
    private int _packetsLeft;

    // RX, TPACKET_V2
    private readonly int _rxFrameSize;
    private readonly int _rxFramesPerBlock;
    private readonly int _rxFrameCount;
    private int _rxNext;         // next slot to read
    private int _rxOldest;       // oldest slot read and not released
    private int _rxHeld;
    private byte* _spill;        // SpillBuffers x SpillBufferSize, native memory
    private readonly int _spillSize;
    private readonly int _spillCount;
    private int _spillUsed;

    private readonly byte* _tx;
    private readonly int _txDataOffset;
    private readonly int _txStatusOffset;
    private readonly int _txFrameSize;
    private readonly int _txFramesPerBlock;
    private readonly int _txBlockSize;
    private readonly int _txFrameCount;
    private readonly int _vnetSize;
    private int _txNext;
    private int _txPending;

    private PacketRingIo(PacketRingOptions options)
    {
        Name = options.InterfaceName;
        Options = options;
        HasVnetHeader = options.VnetHeader;
        _v2 = options.RxRing == RxRingVersion.V2;
        _vnetSize = options.VnetHeader ? VirtioNetHeader.Size : 0;
        int ifindex = NetworkInterfaceInfo.GetIndex(options.InterfaceName);
        int page = Environment.SystemPageSize;

        nuint rxLength;
        if (_v2)
        {
            _rxFrameSize = AlignUp(options.RxFrameSize, TPACKET_ALIGNMENT);
            if (_rxFrameSize < 256 || options.RxFrameCount < 1 || options.SpillBuffers < 1 || options.SpillBufferSize < 2048)
            {
                throw new ArgumentException($"{Name}: RxFrameSize must be at least 256 bytes, RxFrameCount and SpillBuffers positive, SpillBufferSize at least 2048.", nameof(options));
            }

            // Slots never straddle blocks; page-sized (or the next power of two) blocks keep the
            // kernel's allocations small.
            _blockSize = (int)RoundUpToPowerOfTwo((uint)Math.Max(_rxFrameSize, page));
            _rxFramesPerBlock = _blockSize / _rxFrameSize;
            _blockCount = (options.RxFrameCount + _rxFramesPerBlock - 1) / _rxFramesPerBlock;
            _rxFrameCount = _blockCount * _rxFramesPerBlock;
            _spillSize = AlignUp(options.SpillBufferSize, 64);
            _spillCount = options.SpillBuffers;
            _spill = (byte*)NativeMemory.AlignedAlloc((nuint)_spillSize * (nuint)_spillCount, 64);
        }
        else
        {
            _blockSize = options.BlockSize;
            _blockCount = options.BlockCount;
            if (_blockSize < page || !IsPowerOfTwo(_blockSize / page) || _blockSize % page != 0 || _blockCount < 1)
            {
                throw new ArgumentException($"{Name}: BlockSize must be a power-of-two multiple of {page} bytes and BlockCount positive.", nameof(options));
            }
        }

        rxLength = (nuint)_blockSize * (nuint)_blockCount;

        // TX data starts after the version's header: TPACKETn_HDRLEN - sizeof(sockaddr_ll).
        _txDataOffset = _v2 ? TPACKET2_HDR_SIZE : TPACKET3_HDR_SIZE;
        _txStatusOffset = _v2 ? 0 : 20;
        _txFrameSize = AlignUp(Math.Max(options.EffectiveTxFrameSize, _txDataOffset + _vnetSize + 64), TPACKET_ALIGNMENT);
        _txBlockSize = (int)RoundUpToPowerOfTwo((uint)Math.Max(_txFrameSize, page));
        _txFramesPerBlock = _txBlockSize / _txFrameSize;
        int txBlocks = (options.EffectiveTxFrameCount + _txFramesPerBlock - 1) / _txFramesPerBlock;
        _txFrameCount = txBlocks * _txFramesPerBlock;

        int fd = Socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); // protocol 0: nothing arrives before bind
        if (fd < 0)
        {
            throw Fail("socket(AF_PACKET) (needs CAP_NET_RAW)");
        }

        _socket = new SafePacketSocketHandle(fd);
        _fd = fd;
        try
        {
            if (_v2)
            {
                SetInt(PACKET_VERSION, TPACKET_V2, "PACKET_VERSION=TPACKET_V2");
            }
            else
            {
                SetInt(PACKET_VERSION, TPACKET_V3, "PACKET_VERSION=TPACKET_V3");
            }

            if (options.VnetHeader)
            {
                SetInt(PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            }

            if (options.QdiscBypass)
            {
                SetInt(PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }

            if (options.IgnoreOutgoing)
            {
                SetInt(PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            }

            SetInt(PACKET_LOSS, 1, "PACKET_LOSS");

            if (_v2)
            {
                // Any non-zero threshold makes the kernel queue a whole copy of a frame that does not
                // fit its slot, as long as the receive buffer has room.
                SetInt(PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH");
                int rcvbuf = Math.Max(options.ReceiveBufferBytes, 0);
                if (SetSockOpt(_socket, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(int)) != 0)
                {
                    // Without CAP_NET_ADMIN: the ordinary option, capped by net.core.rmem_max.
                    _ = SetSockOpt(_socket, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(int));
                }

                var rxReq = new TPacketReq
                {
                    tp_block_size = (uint)_blockSize,
                    tp_block_nr = (uint)_blockCount,
                    tp_frame_size = (uint)_rxFrameSize,
                    tp_frame_nr = (uint)_rxFrameCount,
                };
                SetStruct(PACKET_RX_RING, &rxReq, (uint)sizeof(TPacketReq), "PACKET_RX_RING");
                var txReq = new TPacketReq
                {
                    tp_block_size = (uint)_txBlockSize,
                    tp_block_nr = (uint)txBlocks,
                    tp_frame_size = (uint)_txFrameSize,
                    tp_frame_nr = (uint)_txFrameCount,
                };
                SetStruct(PACKET_TX_RING, &txReq, (uint)sizeof(TPacketReq), "PACKET_TX_RING");
            }
            else
            {
                var rxReq = new TPacketReq3
                {
                    tp_block_size = (uint)_blockSize,
                    tp_block_nr = (uint)_blockCount,
                    tp_frame_size = 2048,
                    tp_frame_nr = (uint)(_blockSize / 2048 * _blockCount),
                    tp_retire_blk_tov = (uint)Math.Max(0, options.BlockTimeoutMilliseconds),
                };
                SetStruct(PACKET_RX_RING, &rxReq, (uint)sizeof(TPacketReq3), "PACKET_RX_RING");

                var txReq = new TPacketReq3
                {
                    tp_block_size = (uint)_txBlockSize,
                    tp_block_nr = (uint)txBlocks,
                    tp_frame_size = (uint)_txFrameSize,
                    tp_frame_nr = (uint)_txFrameCount,
                };
                SetStruct(PACKET_TX_RING, &txReq, (uint)sizeof(TPacketReq3), "PACKET_TX_RING");
            }

            _mapLength = rxLength + (nuint)_txBlockSize * (nuint)txBlocks;
            void* map = Mmap(null, _mapLength, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, _socket, 0);
            if (map == (void*)-1)
            {
                throw Fail("mmap of the packet rings");
            }

            _map = (byte*)map;
            _rx = _map;
            _tx = _map + rxLength;

            var address = new SockAddrLl
            {
                sll_family = AF_PACKET,
                sll_protocol = HostToNetwork(ETH_P_ALL),
                sll_ifindex = ifindex,
            };
            if (Bind(_socket, &address, (uint)sizeof(SockAddrLl)) != 0)
            {
                throw Fail("bind");
            }

            if (options.Fanout is { } fanout)
            {
                JoinFanout(fanout);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public PacketRingOptions Options { get; }

    public bool HasVnetHeader { get; }

    public FrameIoCounters Counters { get; } = new();

    /// <summary>TX slots in the ring.</summary>
    public int TxCapacity => _txFrameCount;

    /// <summary>Opens a port on <see cref="PacketRingOptions.InterfaceName"/> in the calling thread's
    /// network namespace. Throws <see cref="IOException"/> naming the interface on any failure.</summary>
    public static PacketRingIo Open(PacketRingOptions options) => new(options);

    /// <summary>The socket, for a worker that polls several ports at once (<see cref="PortWaiter"/>).</summary>
    internal int FileDescriptor => _fd;

    /// <summary>Adds the kernel's ring drops since the last call (PACKET_STATISTICS resets on read) to
    /// <see cref="FrameIoCounters.RxDropped"/> and, for V3, the times the ring froze for want of a free
    /// block to <see cref="FrameIoCounters.RxRingFrozen"/>. Not for the per-frame path: one syscall;
    /// the owning worker calls it about once a second and once when it stops.</summary>
    public void ReadKernelStatistics()
    {
        TPacketStatsV3 stats = default;
        uint size = (uint)sizeof(TPacketStatsV3);
        if (GetSockOpt(_socket, SOL_PACKET, PACKET_STATISTICS, &stats, &size) == 0)
        {
            Counters.RxDropped += stats.tp_drops;
            Counters.RxRingFrozen += stats.tp_freeze_q_cnt;
        }
    }

    /// <summary>
    /// Called when poll(2) reports POLLERR/POLLHUP. The kernel sets ENETDOWN on the socket when its
    /// device goes down and poll reports it at once, every time, until SO_ERROR is read: reading it here
    /// is what keeps a worker from spinning. A device that went down comes back by itself (the kernel
    /// re-hooks the socket on NETDEV_UP), so that is counted and the port sleeps on; a device that was
    /// unregistered (deleted, or its namespace gone) leaves the socket bound to nothing forever, which
    /// throws, naming the interface, so the worker stops and the daemon says why.
    /// </summary>
    internal void OnSocketError()
    {
        int error = 0;
        uint size = sizeof(int);
        if (GetSockOpt(_socket, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error != 0)
        {
            Counters.DeviceDown++;
        }

        var address = default(SockAddrLl);
        uint length = (uint)sizeof(SockAddrLl);
        if (GetSockName(_socket, &address, &length) == 0 && address.sll_ifindex <= 0)
        {
            ThrowDeviceGone();
        }
    }

    public void Dispose()
    {
        if (_map != null && _mapLength != 0)
        {
            Munmap(_map, _mapLength);
            _map = null;
        }

        if (_spill != null)
        {
            NativeMemory.AlignedFree(_spill);
            _spill = null;
        }

        _socket?.Dispose();
    }

    [DoesNotReturn]
    private void ThrowDeviceGone() =>
        throw new IOException($"AF_PACKET port on interface '{Name}': the device was deleted (ENETDOWN, socket unbound); the port receives nothing more");

    private void JoinFanout(FanoutGroup fanout)
    {
        int mode = fanout.Program is null ? PACKET_FANOUT_HASH : PACKET_FANOUT_CBPF;
        if (fanout.Defragment)
        {
            mode |= PACKET_FANOUT_FLAG_DEFRAG;
        }

        SetInt(PACKET_FANOUT, fanout.Id | (mode << 16), $"PACKET_FANOUT (group {fanout.Id})");
        if (fanout.Program is { } program)
        {
            BpfInstruction[] code = program.InstructionArray;
            fixed (BpfInstruction* p = code)
            {
                var fprog = new SockFProg { len = (ushort)code.Length, filter = (SockFilter*)p };
                SetStruct(PACKET_FANOUT_DATA, &fprog, (uint)sizeof(SockFProg), "PACKET_FANOUT_DATA (cBPF program)");
            }
        }
    }

    private void SetInt(int option, int value, string what) => SetStruct(option, &value, sizeof(int), what);

    private void SetStruct(int option, void* value, uint length, string what)
    {
        if (SetSockOpt(_socket, SOL_PACKET, option, value, length) != 0)
        {
            throw Fail($"setsockopt {what}");
        }
    }

    private IOException Fail(string what) =>
        new($"AF_PACKET port on interface '{Name}': {what} failed: {Marshal.GetLastPInvokeErrorMessage()}");

    private static ushort HostToNetwork(ushort value) =>
        BitConverter.IsLittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value) : value;

    private static bool IsPowerOfTwo(int value) => value > 0 && (value & (value - 1)) == 0;

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) & ~(alignment - 1);

    private static uint RoundUpToPowerOfTwo(uint value) => System.Numerics.BitOperations.RoundUpToPowerOf2(value);
}
