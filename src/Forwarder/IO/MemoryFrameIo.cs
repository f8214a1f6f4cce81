using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// The in-memory backend for tests and benchmarks: a test queues frames in (as the kernel would
/// deliver them, metadata included) and takes transmitted frames out. Both directions are rings of
/// fixed slots in native memory, allocated once, so steady state allocates nothing.
///
///   RX ring: [released .. handed out .. queued)   EnqueueReceive copies in; Receive hands out spans;
///            ReleaseReceived frees handed-out slots. A frame larger than a slot is stored cut, with
///            OriginalLength kept, exactly like the AF_PACKET ring.
///   TX ring: [taken .. flushed .. committed)      FlushTx publishes committed frames;
///            TryTakeTransmitted (or DiscardTransmitted mode) frees them.
/// Single-threaded like every port.
/// </summary>
public sealed unsafe class MemoryFrameIo : IFrameIo
{
    private readonly int _slotSize;
    private readonly byte* _rxSlots;
    private readonly byte* _txSlots;
    private readonly int _rxMask;
    private readonly int _txMask;

    private readonly int[] _rxLength;
    private readonly int[] _rxOriginalLength;
    private readonly RxFrameFlags[] _rxFlags;
    private readonly ushort[] _rxVlan;
    private readonly VirtioNetHeader[] _rxVnet;
    private long _rxReleased;
    private long _rxHandedOut;
    private long _rxQueued;

    private readonly int[] _txLength;
    private readonly VirtioNetHeader[] _txVnet;
    private long _txTaken;
    private long _txFlushed;
    private long _txCommitted;
    private bool _disposed;

    /// <param name="slotSize">Bytes per slot: the largest frame kept whole.</param>
    /// <param name="rxSlots">RX queue capacity (rounded up to a power of two).</param>
    /// <param name="txSlots">TX ring capacity (rounded up to a power of two).</param>
    public MemoryFrameIo(string name = "mem0", int slotSize = 2048, int rxSlots = 256, int txSlots = 256, bool vnetHeader = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 64);
        Name = name;
        HasVnetHeader = vnetHeader;
        _slotSize = slotSize;
        int rx = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(rxSlots, 1));
        int tx = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(txSlots, 1));
        _rxMask = rx - 1;
        _txMask = tx - 1;
        _rxSlots = (byte*)NativeMemory.AlignedAlloc((nuint)rx * (nuint)slotSize, 64);
        _txSlots = (byte*)NativeMemory.AlignedAlloc((nuint)tx * (nuint)slotSize, 64);
        _rxLength = new int[rx];
        _rxOriginalLength = new int[rx];
        _rxFlags = new RxFrameFlags[rx];
        _rxVlan = new ushort[rx];
        _rxVnet = new VirtioNetHeader[rx];
        _txLength = new int[tx];
        _txVnet = new VirtioNetHeader[tx];
    }

    public string Name { get; }

    public bool HasVnetHeader { get; }

    public FrameIoCounters Counters { get; } = new();

    /// <summary>When true, FlushTx frees transmitted frames at once (benchmarks that only count).</summary>
    public bool DiscardTransmitted { get; set; }

    /// <summary>Frames queued and not yet received.</summary>
    public int PendingReceive => (int)(_rxQueued - _rxHandedOut);

    /// <summary>Frames flushed and not yet taken.</summary>
    public int TransmittedCount => (int)(_txFlushed - _txTaken);

    /// <summary>Queues a frame as if the kernel had received it. False (and counted as a drop) when
    /// the RX ring is full; a frame longer than a slot is stored cut and reported truncated.</summary>
    public bool EnqueueReceive(ReadOnlySpan<byte> frame, RxFrameFlags flags = RxFrameFlags.None, in VirtioNetHeader vnet = default, ushort vlanTci = 0)
    {
        if (_rxQueued - _rxReleased > _rxMask)
        {
            Counters.RxDropped++;
            return false;
        }

        int slot = (int)(_rxQueued & _rxMask);
        int kept = Math.Min(frame.Length, _slotSize);
        frame[..kept].CopyTo(new Span<byte>(_rxSlots + (nint)slot * _slotSize, kept));
        _rxLength[slot] = kept;
        _rxOriginalLength[slot] = frame.Length;
        _rxFlags[slot] = HasVnetHeader ? flags | RxFrameFlags.HasVnetHeader : flags & ~RxFrameFlags.HasVnetHeader;
        _rxVlan[slot] = vlanTci;
        _rxVnet[slot] = HasVnetHeader ? vnet : default;
        _rxQueued++;
        return true;
    }

    public bool WaitForReceive(int timeoutMilliseconds) => _rxQueued != _rxHandedOut;

    public int Receive(Span<RxFrame> frames)
    {
        int n = 0;
        while (n < frames.Length && _rxHandedOut != _rxQueued)
        {
            int slot = (int)(_rxHandedOut & _rxMask);
            int length = _rxLength[slot];
            int original = _rxOriginalLength[slot];
            if (length < original)
            {
                Counters.RxTruncated++;
            }

            Counters.RxFrames++;
            Counters.RxBytes += original;
            frames[n++] = new RxFrame(_rxSlots + (nint)slot * _slotSize, length, original, _rxFlags[slot], _rxVlan[slot], _rxVnet[slot]);
            _rxHandedOut++;
        }

        return n;
    }

    public void ReleaseReceived() => _rxReleased = _rxHandedOut;

    public Span<byte> AcquireTx()
    {
        if (_txCommitted - _txTaken > _txMask)
        {
            Counters.TxRingFull++;
            return default;
        }

        return new Span<byte>(TxSlot(_txCommitted), _slotSize);
    }

    public bool CommitTx(int length, in VirtioNetHeader vnet = default)
    {
        if ((uint)length > (uint)_slotSize || _txCommitted - _txTaken > _txMask)
        {
            Counters.TxUnsupported++;
            return false;
        }

        if (!HasVnetHeader && !SoftwareOffload.TryPrepare(new Span<byte>(TxSlot(_txCommitted), length), vnet, Counters))
        {
            return false;
        }

        int slot = (int)(_txCommitted & _txMask);
        _txLength[slot] = length;
        _txVnet[slot] = HasVnetHeader ? vnet : default;
        _txCommitted++;
        Counters.TxFrames++;
        Counters.TxBytes += length;
        return true;
    }

    public int FlushTx()
    {
        int flushed = (int)(_txCommitted - _txFlushed);
        _txFlushed = _txCommitted;
        if (DiscardTransmitted)
        {
            _txTaken = _txFlushed;
        }

        return flushed;
    }

    /// <summary>The oldest transmitted frame, without taking it (valid until taken).</summary>
    public ReadOnlySpan<byte> PeekTransmitted(out VirtioNetHeader vnet)
    {
        if (_txTaken == _txFlushed)
        {
            vnet = default;
            return default;
        }

        int slot = (int)(_txTaken & _txMask);
        vnet = _txVnet[slot];
        return new ReadOnlySpan<byte>(TxSlot(_txTaken), _txLength[slot]);
    }

    /// <summary>Copies the oldest transmitted frame out and frees its slot.</summary>
    public bool TryTakeTransmitted(Span<byte> destination, out int length, out VirtioNetHeader vnet)
    {
        ReadOnlySpan<byte> frame = PeekTransmitted(out vnet);
        length = frame.Length;
        if (_txTaken == _txFlushed || frame.Length > destination.Length)
        {
            return false;
        }

        frame.CopyTo(destination);
        _txTaken++;
        return true;
    }

    /// <summary>Takes the oldest transmitted frame as a new array (tests).</summary>
    public byte[]? TakeTransmitted(out VirtioNetHeader vnet)
    {
        ReadOnlySpan<byte> frame = PeekTransmitted(out vnet);
        if (_txTaken == _txFlushed)
        {
            return null;
        }

        byte[] copy = frame.ToArray();
        _txTaken++;
        return copy;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NativeMemory.AlignedFree(_rxSlots);
        NativeMemory.AlignedFree(_txSlots);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* TxSlot(long sequence) => _txSlots + (nint)(sequence & _txMask) * _slotSize;
}
