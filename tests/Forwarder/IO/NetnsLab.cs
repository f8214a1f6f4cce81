using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UserLvs.Forwarder.Tests.IO;

/// <summary>
/// Private network namespaces for one test: names carry the prefix ulvsio&lt;pid&gt;_&lt;n&gt; so
/// parallel runs never meet, and Dispose always deletes them (deleting a namespace deletes its veths).
/// <see cref="Run{T}"/> executes code on a thread that has entered a namespace, so sockets, interface
/// lookups and sysctls made there belong to it. Every wait is bounded.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    private static int s_counter;
    private readonly List<string> _namespaces = [];

    public static string? SkipReason
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return "AF_PACKET lab tests need Linux.";
            }

            if (Environment.UserName != "root" && geteuid() != 0)
            {
                return "AF_PACKET lab tests need root (network namespaces, veth, CAP_NET_RAW): skipped.";
            }

            return File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip")
                ? null
                : "AF_PACKET lab tests need iproute2's 'ip' command: skipped.";
        }
    }

    /// <summary>Creates a namespace with loopback up and IPv6 off (no DAD/RS/MLD noise).</summary>
    public string AddNamespace()
    {
        string name = $"ulvsio{Environment.ProcessId}_{Interlocked.Increment(ref s_counter)}";
        Ip($"netns add {name}");
        _namespaces.Add(name);
        Ip($"-n {name} link set lo up");
        Run(name, () =>
        {
            File.WriteAllText("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
            File.WriteAllText("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
            return 0;
        });
        return name;
    }

    /// <summary>A veth pair: <paramref name="a"/> in <paramref name="nsA"/>, <paramref name="b"/> in
    /// <paramref name="nsB"/>, both up, offloads as the kernel defaults them (on).</summary>
    public void AddVeth(string nsA, string a, string nsB, string b)
    {
        Ip($"-n {nsA} link add {a} type veth peer name {b} netns {nsB}");
        Ip($"-n {nsA} link set {a} up");
        Ip($"-n {nsB} link set {b} up");
    }

    public static void Ip(string arguments)
    {
        var info = new ProcessStartInfo("ip", arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(info)!;
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException($"ip {arguments} did not finish in 10 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {arguments} failed: {process.StandardError.ReadToEnd()}");
        }
    }

    /// <summary>Runs <paramref name="action"/> on a fresh thread inside the namespace.</summary>
    public static T Run<T>(string ns, Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{ns}");
                if (Interop.SetNs((int)handle.DangerousGetHandle(), Interop.CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: {Marshal.GetLastPInvokeErrorMessage()}");
                }

                result = action();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        if (!thread.Join(30_000))
        {
            throw new TimeoutException($"work in namespace {ns} did not finish in 30 s");
        }

        if (error is not null)
        {
            throw new InvalidOperationException($"in namespace {ns}: {error.Message}", error);
        }

        return result;
    }

    public void Dispose()
    {
        foreach (string ns in _namespaces)
        {
            try
            {
                Ip($"netns del {ns}");
            }
            catch (InvalidOperationException)
            {
                // Already gone; nothing else to clean.
            }
        }
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}

/// <summary>A fact that needs root and iproute2; skipped with the reason otherwise.</summary>
internal sealed class LabFactAttribute : FactAttribute
{
    public LabFactAttribute() => Skip = NetnsLab.SkipReason;
}

/// <summary>A theory that needs root and network namespaces (skipped like <see cref="LabFactAttribute"/>).</summary>
internal sealed class LabTheoryAttribute : TheoryAttribute
{
    public LabTheoryAttribute() => Skip = NetnsLab.SkipReason;
}
