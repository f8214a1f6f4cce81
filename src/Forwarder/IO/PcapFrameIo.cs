using System.Runtime.InteropServices;
using SharpPcap;
using SharpPcap.LibPcap;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// The libpcap backend (through SharpPcap): portable and slower (one send per frame, a copy per
/// received frame), for tools, for hosts without TPACKET_V3, and to replay a pcap file into the
/// forwarder. Received frames are copied out of libpcap's buffer (valid only until its next read)
/// into slots of our own that stay valid until ReleaseReceived, like the other backends.
/// libpcap cannot carry a virtio_net_hdr: unfinished checksums are finished in software on
/// transmit, GSO frames are refused and counted, and RX frames carry no offload metadata.
/// Live devices run non-blocking with immediate mode, inbound only (pcap_setdirection PCAP_D_IN, as the
/// rings ignore outgoing frames); WaitForReceive polls libpcap's descriptor.
/// </summary>
public sealed unsafe class PcapFrameIo : IFrameIo
{
    private readonly PcapDevice _device;
    private readonly IInjectionDevice? _injector;
    private readonly int _pollFd;
    private readonly int _slotSize;
    private readonly int _slotCount;
    private readonly byte* _rxSlots;
    private readonly byte* _txSlots;
    private readonly int[] _txLength;
    private int _rxHeld;
    private int _txCommitted;
    private bool _endOfFile;
    private bool _disposed;

    private PcapFrameIo(PcapDevice device, IInjectionDevice? injector, int pollFd, int slotSize, int slotCount)
    {
        _device = device;
        _injector = injector;
        _pollFd = pollFd;
        _slotSize = slotSize;
        _slotCount = slotCount;
        Name = device.Name;
        _rxSlots = (byte*)NativeMemory.AlignedAlloc((nuint)slotCount * (nuint)slotSize, 64);
        _txSlots = (byte*)NativeMemory.AlignedAlloc((nuint)slotCount * (nuint)slotSize, 64);
        _txLength = new int[slotCount];
    }

    public string Name { get; }

    public bool HasVnetHeader => false;

    public FrameIoCounters Counters { get; } = new();

    /// <summary>The descriptor to poll(2) for a live device (<see cref="PortWaiter"/>); -1 for a file.</summary>
    internal int PollDescriptor => _pollFd;

    /// <summary>True once a replayed file has no frames left.</summary>
    public bool EndOfFile => _endOfFile;

    /// <summary>Opens a live interface (in the calling thread's network namespace).</summary>
    public static PcapFrameIo OpenLive(string interfaceName, int snapLength = 65536 + 512, bool promiscuous = false, int batchSize = 64)
    {
        LibPcapLiveDevice? device = null;
        foreach (LibPcapLiveDevice candidate in LibPcapLiveDeviceList.New())
        {
            if (candidate.Name == interfaceName)
            {
                device = candidate;
                break;
            }
        }

        if (device is null)
        {
            throw NetworkInterfaceInfo.NotFound(interfaceName);
        }

        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
                Snaplen = snapLength,
                Immediate = true, // without it libpcap batches for up to its timeout (1.5k pps measured)
                ReadTimeout = 10,
            });
            device.NonBlockingMode = true;
            _ = Interop.PcapSetDirection(device.Handle.DangerousGetHandle(), Interop.PCAP_D_IN); // best effort
        }
        catch (PcapException e)
        {
            device.Dispose();
            throw new IOException($"libpcap port on interface '{interfaceName}': open failed: {e.Message}", e);
        }

        int fd = Interop.PcapGetSelectableFd(device.Handle.DangerousGetHandle());
        return new PcapFrameIo(device, device, fd, snapLength, batchSize);
    }

    /// <summary>Opens a pcap file to replay its frames; transmitting on it is refused and counted.</summary>
    public static PcapFrameIo OpenFile(string path, int slotSize = 65536 + 512, int batchSize = 64)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"pcap file '{path}' does not exist.", path);
        }

        var device = new CaptureFileReaderDevice(path);
        device.Open(new DeviceConfiguration());
        return new PcapFrameIo(device, null, -1, slotSize, batchSize);
    }

    public bool WaitForReceive(int timeoutMilliseconds)
    {
        if (_pollFd < 0)
        {
            return !_endOfFile;
        }

        var pfd = new Interop.PollFd { fd = _pollFd, events = Interop.POLLIN | Interop.POLLERR };
        return Interop.Poll(&pfd, 1, timeoutMilliseconds) > 0;
    }

    public int Receive(Span<RxFrame> frames)
    {
        int n = 0;
        while (n < frames.Length && _rxHeld < _slotCount && !_endOfFile)
        {
            nint header = 0;
            nint data = 0;
            int rc = _device.GetNextPacketPointers(ref header, ref data);
            if (rc != 1)
            {
                _endOfFile |= rc == -2;
                break;
            }

            // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; }
            int timevalSize = 2 * IntPtr.Size;
            int captured = (int)*(uint*)((byte*)header + timevalSize);
            int original = (int)*(uint*)((byte*)header + timevalSize + 4);
            int kept = Math.Min(captured, _slotSize);
            byte* slot = _rxSlots + (nint)_rxHeld * _slotSize;
            new ReadOnlySpan<byte>((void*)data, kept).CopyTo(new Span<byte>(slot, kept));
            _rxHeld++;

            if (kept < original)
            {
                Counters.RxTruncated++;
            }

            Counters.RxFrames++;
            Counters.RxBytes += original;
            frames[n++] = new RxFrame(slot, kept, original, RxFrameFlags.None, 0, default);
        }

        return n;
    }

    public void ReleaseReceived() => _rxHeld = 0;

    public Span<byte> AcquireTx()
    {
        if (_injector is null || _txCommitted == _slotCount)
        {
            Counters.TxRingFull++;
            return default;
        }

        return new Span<byte>(_txSlots + (nint)_txCommitted * _slotSize, _slotSize);
    }

    public bool CommitTx(int length, in VirtioNetHeader vnet = default)
    {
        if (_injector is null || _txCommitted == _slotCount || (uint)length > (uint)_slotSize)
        {
            Counters.TxUnsupported++;
            return false;
        }

        var frame = new Span<byte>(_txSlots + (nint)_txCommitted * _slotSize, length);
        if (!SoftwareOffload.TryPrepare(frame, vnet, Counters))
        {
            return false;
        }

        _txLength[_txCommitted++] = length;
        return true;
    }

    public int FlushTx()
    {
        int sent = 0;
        for (int i = 0; i < _txCommitted; i++)
        {
            try
            {
                _injector!.SendPacket(new ReadOnlySpan<byte>(_txSlots + (nint)i * _slotSize, _txLength[i]), null!);
                Counters.TxFrames++;
                Counters.TxBytes += _txLength[i];
                sent++;
            }
            catch (PcapException)
            {
                Counters.TxErrors++;
            }
        }

        _txCommitted = 0;
        return sent;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _device.Dispose();
        NativeMemory.AlignedFree(_rxSlots);
        NativeMemory.AlignedFree(_txSlots);
    }
}
