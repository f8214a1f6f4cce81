namespace UserLvs.Scheduling;

/// <summary>
/// The kernel's multiplicative hash, hash_32() of include/linux/hash.h, as dh and sh use it:
///
///   hash_32(value, bits) = (value * GOLDEN_RATIO_32) mod 2^32 >> (32 - bits)
///
/// The top bits of the product are the well mixed ones, so the bucket is taken from them rather
/// than by masking the low bits. One multiply and one shift: no table, no allocation.
/// Architectures with HAVE_ARCH_HASH may override the kernel's version; x86 and arm64 do not.
/// </summary>
internal static class GoldenRatioHash
{
    /// <summary>GOLDEN_RATIO_32 of include/linux/hash.h: 2^32 / phi, rounded to an odd number.</summary>
    public const uint GoldenRatio32 = 0x61C88647;

    /// <summary>The top <paramref name="bits"/> (1..32) of value * GOLDEN_RATIO_32, in 32-bit arithmetic.</summary>
    public static uint Hash32(uint value, int bits) => unchecked(value * GoldenRatio32) >> (32 - bits);
}
