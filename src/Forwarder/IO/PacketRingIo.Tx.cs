using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>Transmitting: taking a TX slot, committing a frame (with its virtio_net_hdr), and one sendto(2) per flush.</summary>
public sealed unsafe partial class PacketRingIo
{
    public Span<byte> AcquireTx()
    {
        byte* slot = TxSlot(_txNext);
        uint status = Volatile.Read(ref Unsafe.AsRef<uint>(slot + _txStatusOffset));
        if (status != TP_STATUS_AVAILABLE && status != TP_STATUS_WRONG_FORMAT)
        {
            Counters.TxRingFull++;
            return default;
        }

        return new Span<byte>(slot + _txDataOffset + _vnetSize, _txFrameSize - _txDataOffset - _vnetSize);
    }

    /// <summary>
    /// The kernel copies hdr_len bytes of a TX slot into the new skb and attaches the rest as
    /// fragments that point into the ring. Such zero-copy fragments cannot cross a veth or a bridge to
    /// a local socket as they are: the kernel then allocates pages and copies them anyway
    /// (skb_copy_ubufs, seen in perf on the HTTP lab run), after a page reference dance. So an
    /// ordinary frame asks for all of itself to be copied at once, which is one memcpy into a slab
    /// buffer; a GSO super-frame keeps its own hdr_len and its fragments (a 64 KiB linear copy
    /// would need a high-order allocation).
    /// </summary>
    internal static VirtioNetHeader WithLinearCopy(in VirtioNetHeader vnet, int length)
    {
        var header = vnet;
        if (!header.IsGso && length <= MaxLinearCopy) header.HeaderLength = (ushort)length;
        return header;
    }

    /// <summary>The largest frame copied whole on transmit (an MTU-sized frame and then some; not a jumbo one).</summary>
    internal const int MaxLinearCopy = 4096;

    public bool CommitTx(int length, in VirtioNetHeader vnet = default)
    {
        byte* slot = TxSlot(_txNext);
        byte* data = slot + _txDataOffset + _vnetSize;
        if ((uint)length > (uint)(_txFrameSize - _txDataOffset - _vnetSize))
        {
            Counters.TxUnsupported++;
            return false;
        }

        if (_vnetSize != 0)
        {
            Unsafe.WriteUnaligned(slot + _txDataOffset, WithLinearCopy(vnet, length));
        }
        else if (!SoftwareOffload.TryPrepare(new Span<byte>(data, length), vnet, Counters))
        {
            return false;
        }

        if (_v2)
        {
            Unsafe.Write(slot + 4, (uint)(length + _vnetSize));       // tpacket2_hdr.tp_len, vnet header included
        }
        else
        {
            Unsafe.Write(slot, 0u);                                   // tp_next_offset must be 0
            Unsafe.Write(slot + 16, (uint)(length + _vnetSize));      // tpacket3_hdr.tp_len, vnet header included
        }

        Volatile.Write(ref Unsafe.AsRef<uint>(slot + _txStatusOffset), TP_STATUS_SEND_REQUEST);
        _txNext = _txNext + 1 == _txFrameCount ? 0 : _txNext + 1;
        _txPending++;
        Counters.TxFrames++;
        Counters.TxBytes += length;
        return true;
    }

    public int FlushTx()
    {
        int pending = _txPending;
        if (pending == 0)
        {
            return 0;
        }

        nint rc = SendTo(_socket, null, 0, MSG_DONTWAIT, null, 0);
        if (rc < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
            {
                // The slots stay marked; the next flush sends them.
                Counters.TxDeferred++;
            }
            else
            {
                Counters.TxErrors++;
            }
        }

        _txPending = 0;
        return pending;
    }

    private byte* TxSlot(int index) =>
        _tx + (nint)(index / _txFramesPerBlock) * _txBlockSize + (nint)(index % _txFramesPerBlock) * _txFrameSize;
}
