using UserLvs.Forwarder.Connections;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>
/// The hash's fold is hi(x*y) ^ lo(x*y) of the full 128-bit product, whichever instructions compute it:
/// a table's slots must not depend on whether the CPU has BMI2.
/// </summary>
public class ConnectionHashTests
{
    public static TheoryData<ulong, ulong> Edges => new()
    {
        { 0, 0 }, { 1, 1 }, { ulong.MaxValue, ulong.MaxValue }, { ulong.MaxValue, 1 },
        { 0x8000_0000_0000_0000, 2 }, { 0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Fold_IsTheHighHalfXorTheLowHalfOfTheProduct(ulong x, ulong y)
    {
        Assert.Equal(Reference(x, y), ConnectionHash.Fold(x, y));
        Assert.Equal(Reference(x, y), ConnectionHash.PortableFold(x, y));
    }

    [Fact]
    public void Fold_AgreesWithThePortableFold_OnRandomOperands()
    {
        var random = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            ulong x = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            ulong y = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            Assert.Equal(ConnectionHash.PortableFold(x, y), ConnectionHash.Fold(x, y));
        }
    }

    [Fact]
    public void Hash_IsTheDocumentedTwoRoundFold()
    {
        // h = fold(a ^ k0, b ^ k1); h = fold(h ^ k2, k3 ^ (a >> 32)), keys forced odd: 1, 3, 3, 5.
        var hash = new ConnectionHash(1, 2, 3, 4);
        ulong a = (0xC633_6401UL << 32) | (6UL << 16) | 40000;
        ulong expected = Reference(Reference(a ^ 1, 0 ^ 3) ^ 3, 5 ^ (a >> 32));
        Assert.Equal(expected, hash.Hash(a, 0));
    }

    private static ulong Reference(ulong x, ulong y)
    {
        UInt128 product = (UInt128)x * y;
        return (ulong)(product >> 64) ^ (ulong)product;
    }
}
