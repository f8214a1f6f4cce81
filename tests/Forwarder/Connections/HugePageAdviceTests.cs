using System.Globalization;
using UserLvs.Forwarder.Connections;

namespace UserLvs.Forwarder.Tests.Connections;

/// <summary>
/// A large connection table asks for 2 MiB pages: random lookups among a million connections would
/// otherwise pay a page walk each (bench/RESULTS.md §3). Checked in the kernel's own account of the
/// process's memory, /proc/self/smaps, when the machine's THP setting allows huge pages at all.
/// </summary>
public sealed class HugePageAdviceTests
{
    [Fact]
    public void A_large_array_is_backed_by_2MiB_pages()
    {
        if (!TransparentHugePagesAvailable()) return; // THP "never": nothing to ask for
        var array = new ulong[1 << 21]; // 16 MiB on the large object heap

        long covered = HugePageAdvice.Advise(array);
        Array.Fill(array, 1UL);

        Assert.True(covered >= 12L << 20, $"advised {covered} bytes of 16 MiB");
        Assert.True(AnonHugePagesKiB(array) >= 12 << 10, $"{AnonHugePagesKiB(array)} KiB in huge pages");
    }

    [Fact]
    public void A_small_array_is_left_alone()
    {
        Assert.Equal(0, HugePageAdvice.Advise(new ulong[1024]));
        Assert.Equal(0, HugePageAdvice.Advise(new ConnectionEntry[4096])); // 192 KiB: less than two huge pages
    }

    [Fact]
    public void A_table_still_answers_lookups_after_the_advice()
    {
        var table = ConnectionKit.Table(capacity: 1 << 18); // 12 MiB of entries, 4 MiB per index
        var server = ConnectionKit.Server(1);
        int index = table.Add(server, now: 0, port: 41000);

        Assert.Equal(index, table.LookupInbound(ConnectionKit.Http.Protocol, ConnectionKit.Client, 41000,
            ConnectionKit.Vip, 80, ConnectionKit.Ack, now: 1));
    }

    private static bool TransparentHugePagesAvailable()
    {
        const string path = "/sys/kernel/mm/transparent_hugepage/enabled";
        return File.Exists(path) && !File.ReadAllText(path).Contains("[never]", StringComparison.Ordinal);
    }

    /// <summary>AnonHugePages of the mapping that holds the middle of the array, from /proc/self/smaps
    /// (the advice splits the array's mapping: its unaligned head stays in a mapping of its own).</summary>
    private static unsafe long AnonHugePagesKiB(ulong[] array)
    {
        fixed (ulong* p = array)
        {
            ulong address = (ulong)(p + array.Length / 2);
            bool inside = false;
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                int dash = line.IndexOf('-');
                int space = line.IndexOf(' ');
                if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, null, out ulong start) &&
                    ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, null, out ulong end))
                {
                    inside = start <= address && address < end;
                    continue;
                }
                if (inside && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            return 0;
        }
    }
}
