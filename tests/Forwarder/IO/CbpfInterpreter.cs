using System.Buffers.Binary;
using UserLvs.Forwarder.IO;
using static Interop;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// Runs a classic BPF program the way the kernel runs a fanout program on a received Ethernet frame,
/// for the opcodes the generator uses. It models what the kernel does before fanout: one 802.1Q tag
/// is pulled out of the frame (skb_vlan_untag) unless <paramref name="keepVlanInBand"/>; loads at
/// SKF_LL_OFF+k read the link-layer header; a load past the end aborts the program with 0.
/// </summary>
internal static class CbpfInterpreter
{
    public static uint Run(IReadOnlyList<BpfInstruction> program, byte[] frame, bool keepVlanInBand = false)
    {
        byte[] packet = frame;
        if (!keepVlanInBand && frame.Length >= 18 && frame[12] == 0x81 && frame[13] == 0x00)
        {
            packet = new byte[frame.Length - 4];
            frame.AsSpan(0, 12).CopyTo(packet);
            frame.AsSpan(16).CopyTo(packet.AsSpan(12));
        }

        uint a = 0, x = 0;
        var memory = new uint[16];
        int pc = 0;
        for (int steps = 0; steps < 4096; steps++)
        {
            BpfInstruction i = program[pc++];
            int cls = i.Code & 0x07;
            switch (cls)
            {
                case BPF_LD:
                    switch (i.Code & 0xe0)
                    {
                        case BPF_IMM: a = i.K; break;
                        case BPF_MEM: a = memory[i.K]; break;
                        case BPF_ABS:
                        case BPF_IND:
                            int offset = (int)i.K + ((i.Code & 0xe0) == BPF_IND ? (int)x : 0);
                            if (!TryLoad(packet, offset, i.Code & 0x18, out a))
                            {
                                return 0;
                            }

                            break;
                        default: throw new NotSupportedException($"ld 0x{i.Code:x2}");
                    }

                    break;
                case BPF_LDX when (i.Code & 0xe0) == BPF_MSH:
                    if (!TryLoad(packet, (int)i.K, BPF_B, out uint b))
                    {
                        return 0;
                    }

                    x = 4 * (b & 0xf);
                    break;
                case BPF_ST: memory[i.K] = a; break;
                case BPF_MISC when (i.Code & 0xf8) == BPF_TAX: x = a; break;
                case BPF_ALU:
                    uint operand = (i.Code & BPF_X) != 0 ? x : i.K;
                    a = (i.Code & 0xf0) switch
                    {
                        BPF_ADD => unchecked(a + operand),
                        BPF_AND => a & operand,
                        BPF_LSH => a << (int)operand,
                        BPF_MUL => unchecked(a * operand),
                        BPF_RSH => a >> (int)operand,
                        BPF_XOR => a ^ operand,
                        BPF_MOD => a % operand,
                        _ => throw new NotSupportedException($"alu 0x{i.Code:x2}"),
                    };
                    break;
                case BPF_JMP:
                    switch (i.Code & 0xf0)
                    {
                        case BPF_JA: pc += (int)i.K; break;
                        case BPF_JEQ: pc += a == i.K ? i.JumpTrue : i.JumpFalse; break;
                        case BPF_JSET: pc += (a & i.K) != 0 ? i.JumpTrue : i.JumpFalse; break;
                        default: throw new NotSupportedException($"jmp 0x{i.Code:x2}");
                    }

                    break;
                case BPF_RET:
                    return (i.Code & BPF_A) != 0 ? a : i.K;
                default:
                    throw new NotSupportedException($"opcode 0x{i.Code:x2}");
            }
        }

        throw new InvalidOperationException("program did not return");
    }

    private static bool TryLoad(byte[] packet, int k, int size, out uint value)
    {
        value = 0;
        if (k < SKF_LL_OFF || k >= SKF_NET_OFF)
        {
            throw new NotSupportedException("the generator only loads link-layer-relative offsets");
        }

        int offset = k - SKF_LL_OFF;
        int width = size == BPF_W ? 4 : size == BPF_H ? 2 : 1;
        if (offset + width > packet.Length)
        {
            return false;
        }

        value = width switch
        {
            4 => BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(offset)),
            2 => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(offset)),
            _ => packet[offset],
        };
        return true;
    }
}
