using System.Runtime.InteropServices;
using CsCheck;
using UserLvs.Adm.Output;

namespace UserLvs.Adm.Tests.Output;

/// <summary>
/// ipvsadm sorts with glibc's qsort and libipvs's comparisons, where an address difference is an
/// unsigned subtraction read as a signed int. These tests hold our sort to the C library's own
/// qsort, called directly, and show what that means in a listing: with addresses 2^31 or more apart
/// the "higher" one sorts first.
/// </summary>
public partial class IpvsSortTests
{
    [LibraryImport("libc", EntryPoint = "qsort")]
    private static unsafe partial void Qsort(uint* items, nuint count, nuint size, delegate* unmanaged<uint*, uint*, int> compare);

    [UnmanagedCallersOnly]
    private static unsafe int CompareAsLibipvs(uint* a, uint* b) => unchecked((int)(*a - *b));

    private static unsafe uint[] GlibcSort(uint[] values)
    {
        var copy = (uint[])values.Clone();
        fixed (uint* p = copy) Qsort(p, (nuint)copy.Length, sizeof(uint), &CompareAsLibipvs);
        return copy;
    }

    [Fact]
    public void MergeSort_OrdersExactlyAsGlibcQsort_EvenWithTheWrappingComparison()
    {
        var address = Gen.OneOf(Gen.UInt, Gen.UInt[0x0A000000u, 0x0A0000FFu], Gen.UInt[0xC0A80000u, 0xC0A800FFu], Gen.UInt[0x7FFFFF00u, 0x800000FFu]);
        address.Array[0, 40].Sample(values =>
        {
            var ours = (uint[])values.Clone();
            IpvsSort.MergeSort(ours, static (a, b) => unchecked((int)(a - b)));
            Assert.Equal(GlibcSort(values), ours);
        }, iter: 2000);
    }

    [Fact]
    public void Listing_PutsAddressesHalfTheSpaceApartInLibipvsOrder()
    {
        var adm = new AdmHarness().Do(
            "-A -t 10.0.0.1:80", "-A -t 192.168.0.1:80", "-A -t 10.0.0.2:80",
            "-a -t 10.0.0.1:80 -r 10.0.0.9 -m", "-a -t 10.0.0.1:80 -r 172.16.0.9 -m", "-a -t 10.0.0.1:80 -r 200.0.0.9 -m");
        Assert.Equal("IP Virtual Server version 1.2.1 (size=4096)\n"
            + "Prot LocalAddress:Port Scheduler Flags\n"
            + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            + "TCP  192.168.0.1:80 wlc\n"
            + "TCP  10.0.0.1:80 wlc\n"
            + "  -> 172.16.0.9:80                Masq    1      0          0         \n"
            + "  -> 200.0.0.9:80                 Masq    1      0          0         \n"
            + "  -> 10.0.0.9:80                  Masq    1      0          0         \n"
            + "TCP  10.0.0.2:80 wlc\n", adm.Run("-Ln").Out);
    }
}
