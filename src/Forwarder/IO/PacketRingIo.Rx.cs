using System.Runtime.CompilerServices;
using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>Receiving: waiting for frames, walking the V2 slots or the V3 blocks, handing slots back to the kernel.</summary>
public sealed unsafe partial class PacketRingIo
{
    /// <summary>Frames are ready without waiting.</summary>
    internal bool HasReadyFrames => _v2 ? NextSlotReady() : _packetsLeft > 0 || NextBlockReady();

    public bool WaitForReceive(int timeoutMilliseconds)
    {
        if (HasReadyFrames)
        {
            return true;
        }

        var pfd = new PollFd { fd = _fd, events = POLLIN | POLLERR };
        int rc = Poll(&pfd, 1, timeoutMilliseconds);
        if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
        {
            OnSocketError();
        }

        return rc > 0 && ((pfd.revents & POLLIN) != 0 || HasReadyFrames);
    }

    public int Receive(Span<RxFrame> frames) => _v2 ? ReceiveV2(frames) : ReceiveV3(frames);

    private int ReceiveV2(Span<RxFrame> frames)
    {
        int n = 0;
        while (n < frames.Length && _rxHeld < _rxFrameCount)
        {
            byte* h = RxSlot(_rxNext);
            uint status = Volatile.Read(ref Unsafe.AsRef<uint>(h));
            if ((status & TP_STATUS_USER) == 0)
            {
                break;
            }

            int len = (int)Unsafe.Read<uint>(h + 4);
            int snaplen = (int)Unsafe.Read<uint>(h + 8);
            byte* data = h + Unsafe.Read<ushort>(h + 12);
            VirtioNetHeader vnet = default;
            if (_vnetSize != 0 && snaplen >= 0)
            {
                vnet = Unsafe.ReadUnaligned<VirtioNetHeader>(data - VirtioNetHeader.Size);
            }

            if ((status & TP_STATUS_COPY) != 0)
            {
                // The slot holds the frame cut; its whole copy waits on the socket, in order.
                if (_spillUsed == _spillCount)
                {
                    break; // this batch used every spill buffer: the frame waits for ReleaseReceived
                }

                byte* buffer = _spill + (nint)_spillUsed * _spillSize;
                nint got = Recv(_socket, buffer, (nuint)_spillSize, MSG_DONTWAIT | MSG_TRUNC);
                if (got >= _vnetSize)
                {
                    _spillUsed++;
                    int whole = (int)got - _vnetSize;
                    if (_vnetSize != 0)
                    {
                        vnet = Unsafe.ReadUnaligned<VirtioNetHeader>(buffer);
                    }

                    data = buffer + _vnetSize;
                    len = Math.Max(len, whole);
                    snaplen = Math.Min(whole, _spillSize - _vnetSize);
                }
            }

            var flags = FlagsOf(status);
            ushort vlan = (flags & RxFrameFlags.VlanValid) != 0 ? Unsafe.Read<ushort>(h + 24) : (ushort)0;   // tp_vlan_tci (V2)

            CountReceived(snaplen, len);
            frames[n++] = new RxFrame(data, snaplen, len, flags, vlan, vnet);
            _rxHeld++;
            _rxNext = _rxNext + 1 == _rxFrameCount ? 0 : _rxNext + 1;
        }

        return n;
    }

    /// <summary>What a slot's tp_status says about its frame (the same bits in V2 and V3).</summary>
    private RxFrameFlags FlagsOf(uint status)
    {
        var flags = RxFrameFlags.None;
        if ((status & TP_STATUS_CSUMNOTREADY) != 0) flags |= RxFrameFlags.ChecksumNotReady;
        if ((status & TP_STATUS_CSUM_VALID) != 0) flags |= RxFrameFlags.ChecksumValid;
        if ((status & TP_STATUS_VLAN_VALID) != 0) flags |= RxFrameFlags.VlanValid;
        if (_vnetSize != 0) flags |= RxFrameFlags.HasVnetHeader;
        return flags;
    }

    private void CountReceived(int snaplen, int len)
    {
        if (snaplen < len) Counters.RxTruncated++;
        Counters.RxFrames++;
        Counters.RxBytes += len;
    }

    private int ReceiveV3(Span<RxFrame> frames)
    {
        int n = 0;
        while (n < frames.Length)
        {
            if (_packetsLeft == 0)
            {
                if (!NextBlockReady())
                {
                    break;
                }

                byte* block = _rx + (nint)_nextBlock * _blockSize;
                _packetsLeft = (int)Unsafe.Read<uint>(block + 12);       // hdr.bh1.num_pkts
                _packet = block + Unsafe.Read<uint>(block + 16);         // hdr.bh1.offset_to_first_pkt
                _heldBlocks++;
                _nextBlock = _nextBlock + 1 == _blockCount ? 0 : _nextBlock + 1;
                continue;
            }

            byte* h = _packet;
            int snaplen = (int)Unsafe.Read<uint>(h + 12);
            int len = (int)Unsafe.Read<uint>(h + 16);
            uint status = Unsafe.Read<uint>(h + 20);
            byte* data = h + Unsafe.Read<ushort>(h + 24);

            var flags = FlagsOf(status);
            ushort vlan = (flags & RxFrameFlags.VlanValid) != 0 ? (ushort)Unsafe.Read<uint>(h + 32) : (ushort)0;   // hv1.tp_vlan_tci (V3)
            VirtioNetHeader vnet = _vnetSize != 0 ? Unsafe.ReadUnaligned<VirtioNetHeader>(data - VirtioNetHeader.Size) : default;

            CountReceived(snaplen, len);
            frames[n++] = new RxFrame(data, snaplen, len, flags, vlan, vnet);

            if (--_packetsLeft > 0)
            {
                _packet = h + Unsafe.Read<uint>(h);                  // tp_next_offset
            }
        }

        return n;
    }

    public void ReleaseReceived()
    {
        if (_v2)
        {
            for (int i = 0; i < _rxHeld; i++)
            {
                Volatile.Write(ref Unsafe.AsRef<uint>(RxSlot(_rxOldest)), TP_STATUS_KERNEL);
                _rxOldest = _rxOldest + 1 == _rxFrameCount ? 0 : _rxOldest + 1;
            }

            _rxHeld = 0;
            _spillUsed = 0;
            return;
        }

        // Every held block is done except an open one with frames still unread.
        int done = _packetsLeft > 0 ? _heldBlocks - 1 : _heldBlocks;
        for (int i = 0; i < done; i++)
        {
            byte* block = _rx + (nint)_oldestHeld * _blockSize;
            Volatile.Write(ref Unsafe.AsRef<uint>(block + 8), TP_STATUS_KERNEL);
            _oldestHeld = _oldestHeld + 1 == _blockCount ? 0 : _oldestHeld + 1;
        }

        _heldBlocks -= done;
    }

    private bool NextBlockReady() =>
        _heldBlocks < _blockCount &&
        (Volatile.Read(ref Unsafe.AsRef<uint>(_rx + (nint)_nextBlock * _blockSize + 8)) & TP_STATUS_USER) != 0;

    private bool NextSlotReady() =>
        _rxHeld < _rxFrameCount && (Volatile.Read(ref Unsafe.AsRef<uint>(RxSlot(_rxNext))) & TP_STATUS_USER) != 0;

    private byte* RxSlot(int index) =>
        _rx + (nint)(index / _rxFramesPerBlock) * _blockSize + (nint)(index % _rxFramesPerBlock) * _rxFrameSize;
}
