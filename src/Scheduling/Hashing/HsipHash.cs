using System.Numerics;
using System.Runtime.CompilerServices;

namespace UserLvs.Scheduling;

/// <summary>
/// The kernel's hsiphash() of one 32-bit word (lib/siphash.c), as mh uses it for its table.
/// On 64-bit kernels hsiphash is SipHash-1-3 with two 64-bit key words, truncated to 32 bits:
///
///   v0..v3 = the SipHash constants XOR k0, k1, k0, k1
///   b      = length (4) << 56 | the word as a little-endian CPU loads it
///   v3 ^= b; one SipRound; v0 ^= b; v2 ^= 0xff; three SipRounds
///   result = low 32 bits of v0 ^ v1 ^ v2 ^ v3
///
/// ip_vs_mh.c keys it with fixed constants (generate_hash_secret), not a random boot-time key, so
/// these values are exactly the ones a little-endian 64-bit kernel (x86_64, arm64) computes; a
/// 32-bit kernel runs HalfSipHash-1-3 instead and builds a different table. Four rounds of add,
/// rotate and xor per hash: no allocation.
/// </summary>
internal static class HsipHash
{
    public static uint Hash(uint word, ulong key0, ulong key1)
    {
        ulong v0 = 0x736f6d6570736575UL ^ key0;
        ulong v1 = 0x646f72616e646f6dUL ^ key1;
        ulong v2 = 0x6c7967656e657261UL ^ key0;
        ulong v3 = 0x7465646279746573UL ^ key1;
        ulong b = (4UL << 56) | word;

        v3 ^= b;
        SipRound(ref v0, ref v1, ref v2, ref v3);
        v0 ^= b;
        v2 ^= 0xff;
        SipRound(ref v0, ref v1, ref v2, ref v3);
        SipRound(ref v0, ref v1, ref v2, ref v3);
        SipRound(ref v0, ref v1, ref v2, ref v3);
        return (uint)(v0 ^ v1 ^ v2 ^ v3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SipRound(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        unchecked
        {
            v0 += v1; v1 = BitOperations.RotateLeft(v1, 13); v1 ^= v0; v0 = BitOperations.RotateLeft(v0, 32);
            v2 += v3; v3 = BitOperations.RotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = BitOperations.RotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = BitOperations.RotateLeft(v1, 17); v1 ^= v2; v2 = BitOperations.RotateLeft(v2, 32);
        }
    }
}
