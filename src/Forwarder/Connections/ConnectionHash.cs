using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace UserLvs.Forwarder.Connections;

/// <summary>
/// A keyed hash of a connection key packed into two 64-bit words (IPVS's ip_vs_conn_hashkey uses
/// jhash with a random ip_vs_conn_rnd for the same reason).
///
///   h = fold(a ^ k0, b ^ k1);  h = fold(h ^ k2, k3 ^ (a >> 32))      fold(x, y) = hi(x*y) ^ lo(x*y)
///
/// Two rounds of a 64x64->128-bit multiply folded to 64 bits (the mixing step of wyhash/rapidhash):
/// a few nanoseconds, no allocation. The four keys come from RandomNumberGenerator when a table is
/// made, so a client that does not know them cannot aim many keys at one slot of the table.
/// </summary>
internal readonly struct ConnectionHash
{
    private readonly ulong _k0, _k1, _k2, _k3;

    public ConnectionHash(ulong k0, ulong k1, ulong k2, ulong k3)
    {
        // An odd key never multiplies a difference away to zero.
        _k0 = k0 | 1; _k1 = k1 | 1; _k2 = k2 | 1; _k3 = k3 | 1;
    }

    public static ConnectionHash CreateRandom()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return new(BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                   BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
                   BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
                   BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
    }

    public ulong Hash(ulong a, ulong b)
    {
        ulong h = Fold(a ^ _k0, b ^ _k1);
        return Fold(h ^ _k2, _k3 ^ (a >> 32));
    }

    // The high half from MULX and the low half from a plain multiply: both in registers. Math.BigMul's
    // `out low` goes through a stack slot, a store and a reload on the lookup's critical path (key ->
    // hash -> slot address -> load), twice per hash. Same value either way (a test checks).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Fold(ulong x, ulong y) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(x, y) ^ (x * y) : PortableFold(x, y);

    internal static ulong PortableFold(ulong x, ulong y)
    {
        ulong high = Math.BigMul(x, y, out ulong low);
        return high ^ low;
    }
}
