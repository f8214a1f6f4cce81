
namespace UserLvs.Adm.Output;

/// <summary>
/// The order of ipvsadm's listings: libipvs's ipvs_cmp_services (protocol, then address, then port)
/// and ipvs_cmp_dests (address, then port), run by glibc's qsort, a top-down merge sort that keeps
/// equal items in order. The comparisons are kept as C computes them: an address difference is an
/// unsigned subtraction read as a signed int, so two addresses 2^31 or more apart compare "the wrong
/// way" (192.168.0.1 before 10.0.0.1). The merge sort is reproduced step for step so that even then
/// the order is the one ipvsadm prints.
/// </summary>
internal static class IpvsSort
{
    public static ServiceInfo[] Services(IReadOnlyList<ServiceInfo> services)
    {
        var items = services.ToArray();
        MergeSort(items, static (a, b) =>
        {
            int r = (int)a.Settings.Protocol - (int)b.Settings.Protocol;
            if (r != 0) return r;
            r = unchecked((int)(AddressNames.Value(a.Settings.Address) - AddressNames.Value(b.Settings.Address)));
            return r != 0 ? r : a.Settings.Port - b.Settings.Port;
        });
        return items;
    }

    public static ServerInfo[] Servers(IReadOnlyList<ServerInfo> servers)
    {
        var items = servers.ToArray();
        MergeSort(items, static (a, b) =>
        {
            int r = unchecked((int)(AddressNames.Value(a.Settings.Address) - AddressNames.Value(b.Settings.Address)));
            return r != 0 ? r : a.Settings.Port - b.Settings.Port;
        });
        return items;
    }

    /// <summary>glibc's msort_with_tmp: halves of n/2 and n - n/2; the merge takes the left item while compare &lt;= 0.</summary>
    internal static void MergeSort<T>(T[] items, Comparison<T> compare)
    {
        var temp = new T[items.Length];
        Sort(items, 0, items.Length, temp, compare);
    }

    private static void Sort<T>(T[] items, int start, int n, T[] temp, Comparison<T> compare)
    {
        if (n <= 1) return;
        int n1 = n / 2, n2 = n - n1;
        Sort(items, start, n1, temp, compare);
        Sort(items, start + n1, n2, temp, compare);
        int left = start, right = start + n1, output = 0;
        while (n1 > 0 && n2 > 0)
        {
            if (compare(items[left], items[right]) <= 0)
            {
                temp[output++] = items[left++];
                n1--;
            }
            else
            {
                temp[output++] = items[right++];
                n2--;
            }
        }
        while (n1-- > 0) temp[output++] = items[left++];
        // What is left on the right is already in place.
        Array.Copy(temp, 0, items, start, output);
    }
}
