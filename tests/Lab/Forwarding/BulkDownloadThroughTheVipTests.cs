using System.Diagnostics;
using System.Security.Cryptography;
using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Forwarding;

/// <summary>
/// A long TCP stream through the VIP: every byte arrives, in order, unchanged, while the real server's
/// TSO/GSO super-frames (up to 64 KiB, checksums unfinished) cross the router whole (DESIGN.md §3, §4).
/// </summary>
public sealed class BulkDownloadThroughTheVipTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private const int Megabytes = 100;
    private readonly LvsLab _lab;

    public BulkDownloadThroughTheVipTests(ITestOutputHelper output) => _lab = LvsLab.Up(output);

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Download100MiB_ThroughTheVip_ArrivesByteIdentical_CarriedBySuperFrames()
    {
        // Offloads are the veth default: the real server's and the router's devices segment late.
        foreach (var (ns, device) in new[] { (_lab.RealServerNamespace(3), "eth0"), (_lab.RouterNamespace, "priv0"), (_lab.RouterNamespace, "pub0") })
        {
            string features = _lab.CheckInNamespace(ns, TimeSpan.FromSeconds(10), "ethtool", "-k", device).StandardOutput;
            Assert.Contains("tcp-segmentation-offload: on", features);
            Assert.Contains("generic-segmentation-offload: on", features);
        }
        var daemon = _lab.StartDaemon(LabConfig.Text("rr"));

        var clock = Stopwatch.StartNew();
        var (length, digest) = DownloadThroughTheVip($"http://{LvsLab.Vip}/big?mb={Megabytes}");
        _lab.Note($"{length} bytes through the VIP in {clock.Elapsed.TotalSeconds:F2} s");

        Assert.Equal((long)Megabytes * MiB, length);
        Assert.Equal(Convert.ToHexString(RealServerContent.BigSha256(Megabytes)), Convert.ToHexString(digest));

        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(15)));
        var totals = DaemonTotals.Parse(daemon.Log);
        // 100 MiB in 1500-byte frames would take at least 69,906 frames to the client alone.
        long framesAtMtu = (long)Megabytes * MiB / 1500;
        _lab.Note($"{totals.ToClients} frames to clients (average {(double)length / totals.ToClients:F0} bytes), {framesAtMtu} at the MTU");
        Assert.True(totals.ToClients < framesAtMtu, $"{totals.ToClients} frames to clients: no super-frames crossed\n{_lab.DaemonLog}");
        Assert.Equal(0, totals.Dropped);
    }

    /// <summary>curl in the client namespace, its output hashed as it streams (bounded by curl's -m and a deadline).</summary>
    private (long Length, byte[] Digest) DownloadThroughTheVip(string url)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", _lab.ClientNamespace, "curl", "-sS", "--connect-timeout", "3", "-m", "90", url })
            start.ArgumentList.Add(argument);
        using var curl = Process.Start(start)!;
        var errors = curl.StandardError.ReadToEndAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        var buffer = new byte[MiB];
        long length = 0;
        try
        {
            int read;
            while ((read = curl.StandardOutput.BaseStream.ReadAsync(buffer, deadline.Token).AsTask().GetAwaiter().GetResult()) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        catch (OperationCanceledException)
        {
            curl.Kill();
            Assert.Fail($"the download did not finish within 100 s ({length} bytes)\n{_lab.DaemonLog}");
        }
        Assert.True(curl.WaitForExit(10_000), "curl did not exit after its output ended");
        Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {errors.Result}\n{_lab.DaemonLog}");
        return (length, hash.GetHashAndReset());
    }
}
