using static Interop;

namespace UserLvs.Forwarder.IO;

/// <summary>
/// The classic BPF program for PACKET_FANOUT_CBPF that sends both directions of a NAT connection to
/// the same worker: it returns hash(client address, client port) % workers, where the client is the
/// source on the public interface and the destination on the private one (<see cref="ClientSide"/>).
///
///   ethertype = ldh [LL+12]; if 0x8100: ethertype = ldh [LL+16], ip = LL+18; else ip = LL+14
///   if ethertype != IPv4: return 0                     (ARP, IPv6, ... go to worker 0)
///   port = 0 if fragment (MF or offset) or proto not TCP/UDP, else ldh [ip + 4*(ip[0]&0xf) + p]
///   ICMP errors (destination unreachable, source quench, time exceeded, parameter problem) hash the
///     client endpoint of the datagram they quote instead, which is the other side of that datagram:
///     on the public side the quoted datagram went VIP -> client (client = quoted destination), on the
///     private side it went client -> real server (client = quoted source). So "fragmentation needed"
///     and "port unreachable" reach the worker that owns the connection and are translated there.
///   h = addr * 0x9E3779B1 ^ port * 0x85EBCA77;  h ^= h >> 16;  return h % workers
///
/// Offsets are relative to the link-layer header (SKF_LL_OFF) because the kernel runs fanout
/// programs with skb->data at the network header; the kernel also pulls an 802.1Q tag out of the
/// frame before fanout on receive, so the in-band tag path serves frames that keep their tag.
/// IHL comes from BPF_MSH. Cost: at most ~40 instructions per frame, no loop; built once at start.
/// Fragments hash with port 0, so a datagram's fragments stay together (use PACKET_FANOUT_FLAG_DEFRAG
/// to reassemble first when a service sees fragmented traffic).
/// The fanout index of a socket is the order it joined: worker i must join its group i-th.
/// </summary>
public sealed class FanoutProgram
{
    internal const uint AddressMultiplier = 0x9E3779B1;
    internal const uint PortMultiplier = 0x85EBCA77;

    private FanoutProgram(ClientSide side, int workers, BpfInstruction[] instructions)
    {
        Side = side;
        Workers = workers;
        Instructions = instructions;
    }

    public ClientSide Side { get; }

    public int Workers { get; }

    public IReadOnlyList<BpfInstruction> Instructions { get; }

    internal BpfInstruction[] InstructionArray => (BpfInstruction[])Instructions;

    /// <summary>The worker the program picks for a client, computed in C# (the program's specification).</summary>
    public static int WorkerFor(uint clientAddress, ushort clientPort, int workers)
    {
        uint h = (clientAddress * AddressMultiplier) ^ (clientPort * PortMultiplier);
        h ^= h >> 16;
        return (int)(h % (uint)workers);
    }

    public static FanoutProgram Build(ClientSide side, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var asm = new Assembler();
        const int ll = SKF_LL_OFF;

        asm.Emit(BPF_LD | BPF_H | BPF_ABS, ll + 12);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021Q, "tagged", null);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, null, "other");
        EmitIPv4(asm, side, ll + 14, "b14");
        asm.Jump(BPF_JMP | BPF_JA, 0, "finish", null);

        asm.Label("tagged");
        asm.Emit(BPF_LD | BPF_H | BPF_ABS, ll + 16);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, null, "other");
        EmitIPv4(asm, side, ll + 18, "b18");

        asm.Label("finish");                        // A = h
        asm.Emit(BPF_MISC | BPF_TAX, 0);
        asm.Emit(BPF_ALU | BPF_RSH | BPF_K, 16);
        asm.Emit(BPF_ALU | BPF_XOR | BPF_X, 0);
        asm.Emit(BPF_ALU | BPF_MOD | BPF_K, workers);
        asm.Emit(BPF_RET | BPF_A, 0);

        asm.Label("other");
        asm.Emit(BPF_RET | BPF_K, 0);
        return new FanoutProgram(side, workers, asm.Link());
    }

    // A = addr*K1 ^ port*K2 for an IPv4 header at link-relative offset ip; falls through at the end.
    private static void EmitIPv4(Assembler asm, ClientSide side, int ip, string p)
    {
        int addressOffset = side == ClientSide.Source ? 12 : 16;
        int portOffset = side == ClientSide.Source ? 0 : 2;

        asm.Emit(BPF_LD | BPF_H | BPF_ABS, ip + 6);         // flags + fragment offset
        asm.Jump(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, p + "zero", null);
        asm.Emit(BPF_LD | BPF_B | BPF_ABS, ip + 9);         // protocol
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 6, p + "ports", null);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 17, p + "ports", null);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 1, p + "icmp", p + "zero");
        asm.Label(p + "icmp");
        EmitQuotedClient(asm, side, ip, p);
        asm.Label(p + "ports");
        asm.Emit(BPF_LDX | BPF_B | BPF_MSH, ip);            // X = 4 * (ip[0] & 0xf)
        asm.Emit(BPF_LD | BPF_H | BPF_IND, ip + portOffset);
        asm.Jump(BPF_JMP | BPF_JA, 0, p + "have", null);
        asm.Label(p + "zero");
        asm.Emit(BPF_LD | BPF_IMM, 0);
        asm.Label(p + "have");                              // A = port
        asm.Emit(BPF_ALU | BPF_MUL | BPF_K, unchecked((int)PortMultiplier));
        asm.Emit(BPF_ST, 0);                                // M[0] = port * K2
        asm.Emit(BPF_LD | BPF_W | BPF_ABS, ip + addressOffset);
        asm.Emit(BPF_ALU | BPF_MUL | BPF_K, unchecked((int)AddressMultiplier));
        asm.Emit(BPF_MISC | BPF_TAX, 0);
        asm.Emit(BPF_LD | BPF_MEM, 0);
        asm.Emit(BPF_ALU | BPF_XOR | BPF_X, 0);
        asm.Label(p + "done");
    }

    // The ICMP branch: A = addr*K1 ^ port*K2 of the client in the quoted datagram of an ICMP error,
    // then a jump to "done"; any other ICMP message goes to "zero" (its own address, port 0).
    private static void EmitQuotedClient(Assembler asm, ClientSide side, int ip, string p)
    {
        // The quoted datagram went the other way: public side VIP -> client, private side client -> RIP.
        int quotedAddressOffset = side == ClientSide.Source ? 16 : 12;
        int quotedPortOffset = side == ClientSide.Source ? 2 : 0;
        int quoted = ip + 8;                                 // + X (outer IHL): the quoted IPv4 header

        asm.Emit(BPF_LDX | BPF_B | BPF_MSH, ip);            // X = outer IHL
        asm.Emit(BPF_LD | BPF_B | BPF_IND, ip);             // ICMP type
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 3, p + "error", null);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 11, p + "error", null);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 4, p + "error", null);
        asm.Jump(BPF_JMP | BPF_JEQ | BPF_K, 12, p + "error", p + "zero");
        asm.Label(p + "error");
        asm.Emit(BPF_LD | BPF_W | BPF_IND, quoted + quotedAddressOffset);
        asm.Emit(BPF_ALU | BPF_MUL | BPF_K, unchecked((int)AddressMultiplier));
        asm.Emit(BPF_ST, 0);                                // M[0] = client address * K1
        asm.Emit(BPF_LD | BPF_B | BPF_IND, quoted);         // the quoted header's version/IHL byte
        asm.Emit(BPF_ALU | BPF_AND | BPF_K, 0x0f);
        asm.Emit(BPF_ALU | BPF_LSH | BPF_K, 2);
        asm.Emit(BPF_ALU | BPF_ADD | BPF_X, 0);             // A = outer IHL + quoted IHL
        asm.Emit(BPF_MISC | BPF_TAX, 0);
        asm.Emit(BPF_LD | BPF_H | BPF_IND, quoted + quotedPortOffset);
        asm.Emit(BPF_ALU | BPF_MUL | BPF_K, unchecked((int)PortMultiplier));
        asm.Emit(BPF_MISC | BPF_TAX, 0);
        asm.Emit(BPF_LD | BPF_MEM, 0);
        asm.Emit(BPF_ALU | BPF_XOR | BPF_X, 0);
        asm.Jump(BPF_JMP | BPF_JA, 0, p + "done", null);
    }

    /// <summary>Forward-only labels resolved into cBPF's relative jump offsets.</summary>
    private sealed class Assembler
    {
        private readonly List<(ushort Code, uint K, string? True, string? False)> _code = [];
        private readonly Dictionary<string, int> _labels = [];

        public void Emit(int code, int k) => _code.Add(((ushort)code, unchecked((uint)k), null, null));

        public void Jump(int code, int k, string? whenTrue, string? whenFalse) =>
            _code.Add(((ushort)code, unchecked((uint)k), whenTrue, whenFalse));

        public void Label(string name) => _labels.Add(name, _code.Count);

        public BpfInstruction[] Link()
        {
            var result = new BpfInstruction[_code.Count];
            for (int i = 0; i < _code.Count; i++)
            {
                var (code, k, whenTrue, whenFalse) = _code[i];
                if ((code & 0x07) == BPF_JMP && (code & 0xf0) == BPF_JA)
                {
                    result[i] = new BpfInstruction(code, 0, 0, (uint)Offset(i, whenTrue));
                }
                else if ((code & 0x07) == BPF_JMP)
                {
                    result[i] = new BpfInstruction(code, checked((byte)Offset(i, whenTrue)), checked((byte)Offset(i, whenFalse)), k);
                }
                else
                {
                    result[i] = new BpfInstruction(code, 0, 0, k);
                }
            }

            return result;
        }

        private int Offset(int from, string? label) => label is null ? 0 : _labels[label] - from - 1;
    }
}
