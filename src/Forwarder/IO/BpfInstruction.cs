using System.Runtime.InteropServices;

namespace UserLvs.Forwarder.IO;

/// <summary>One classic BPF instruction, laid out exactly as struct sock_filter (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct BpfInstruction(ushort code, byte jumpTrue, byte jumpFalse, uint k)
{
    public ushort Code { get; } = code;
    public byte JumpTrue { get; } = jumpTrue;
    public byte JumpFalse { get; } = jumpFalse;
    public uint K { get; } = k;

    public override string ToString() => $"{{ 0x{Code:x2}, {JumpTrue}, {JumpFalse}, 0x{K:x8} }}";
}
