using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using UserLvs.Lab.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UserLvs.Lab.Tests.Adm;

/// <summary>
/// SIGHUP reloads lvs.cf under traffic (DESIGN.md §5): the new table takes effect as a diff, so a
/// connection to a server that stays (even one whose weight changed) goes on untouched, byte for
/// byte; `userlvs-adm -L -n` shows the new table and new connections follow it. A file with an error
/// is refused whole: the daemon logs FILE:LINE and keeps forwarding by the table it had.
/// </summary>
public sealed partial class ReloadUnderTrafficTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private const int Megabytes = 40;
    private const string RateLimit = "5M"; // 40 MiB at 5 MiB/s: about 8 s on the wire, room for a loaded box
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    private readonly LvsLab _lab;
    private readonly UserLvsAdm _adm;

    public ReloadUnderTrafficTests(ITestOutputHelper output)
    {
        _lab = LvsLab.Up(output);
        _adm = new UserLvsAdm(_lab.SocketPath);
    }

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Sighup_DuringADownload_AppliesTheNewTable_AndTheDownloadArrivesWhole_ThenABadFileIsRefused()
    {
        var daemon = _lab.StartDaemon(HttpServiceConfig.Text("wrr", (1, 1), (2, 1)));
        using var download = Download.Start(_lab.ClientNamespace, $"http://{LvsLab.Vip}/big?mb={Megabytes}", RateLimit);

        // The server carrying the download gets weight 3 in the new file; s3 joins with weight 1.
        int carrier = WaitForEstablishedServer();
        int other = carrier == 1 ? 2 : 1;
        _lab.Note($"the download is on s{carrier}");
        File.WriteAllText(_lab.ConfigPath, HttpServiceConfig.Text("wrr", (1, carrier == 1 ? 3 : 1), (2, carrier == 2 ? 3 : 1), (3, 1)));
        Signals.Hangup(daemon.Id);
        WaitForLog(daemon, "reloaded ");
        Assert.False(download.HasFinished, "the download ended before the reload: the test proved nothing");

        string reloaded = _adm.Check("-L", "-n");
        _lab.Note(reloaded);
        Assert.Equal($"""
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
            TCP  192.0.2.10:80 wrr
              -> 10.0.0.11:80                 Masq    {(carrier == 1 ? 3 : 1)}
              -> 10.0.0.12:80                 Masq    {(carrier == 2 ? 3 : 1)}
              -> 10.0.0.13:80                 Masq    1

            """, HttpServiceConfig.WithoutCounters(reloaded));
        // The download is still counted on its server as an active connection.
        Assert.Matches($@"(?m)^  -> 10\.0\.0\.1{carrier}:80 +Masq +3 +1 +\d+ *$", reloaded);

        var (length, digest) = download.Finish(TimeSpan.FromSeconds(60));
        _lab.Note($"{length} bytes downloaded across the reload");
        Assert.Equal((long)Megabytes * MiB, length);
        Assert.Equal(Convert.ToHexString(RealServerContent.BigSha256(Megabytes)), Convert.ToHexString(digest));

        // New connections follow the new weights: 3 + 1 + 1 per wrr cycle, so 10 split 6 / 2 / 2.
        var spread = _lab.ServersAnswering(10);
        Assert.True(Count(spread, $"s{carrier}") == 6 && Count(spread, $"s{other}") == 2 && Count(spread, "s3") == 2, Seen(spread));

        // A file with an error: refused whole, with FILE:LINE, and nothing changes.
        string broken = HttpServiceConfig.Text("wrr", (1, 1), (2, 1), (3, 5)).Replace("        weight = 5\n", "        weight = heavy\n");
        int line = Array.IndexOf(broken.Split('\n'), "        weight = heavy") + 1;
        File.WriteAllText(_lab.ConfigPath, broken);
        Signals.Hangup(daemon.Id);
        string refusal = WaitForLog(daemon, "reload refused: ");
        Assert.Contains($"reload refused: {_lab.ConfigPath}:{line}: ", refusal);

        Assert.Equal(HttpServiceConfig.WithoutCounters(reloaded), HttpServiceConfig.WithoutCounters(_adm.Check("-L", "-n")));
        var after = _lab.ServersAnswering(10);
        Assert.True(Count(after, $"s{carrier}") == 6 && Count(after, $"s{other}") == 2 && Count(after, "s3") == 2, Seen(after));
        Assert.False(daemon.HasExited, _lab.DaemonLog);
    }

    [LabFact]
    public void Sighup_WithAVipOnAnotherDevice_IsRefused_AndTheDaemonKeepsForwarding()
    {
        var daemon = _lab.StartDaemon(HttpServiceConfig.Text("rr", (1, 1), (2, 1)));
        string before = _adm.Check("-L", "-n");

        // A well-formed file that the running daemon cannot apply without a restart.
        File.WriteAllText(_lab.ConfigPath, HttpServiceConfig.Text("rr", (1, 1), (2, 1), (3, 1)).Replace("192.0.2.10 pub0:1", "192.0.2.10 eth9:1"));
        Signals.Hangup(daemon.Id);
        var clock = Stopwatch.StartNew();
        while (!daemon.HasExited && !daemon.LogContains("reload refused: ") && clock.Elapsed < Limit) Thread.Sleep(20);

        Assert.False(daemon.HasExited, $"the daemon exited ({(daemon.HasExited ? daemon.ExitCode : 0)}) on a reload:\n{_lab.DaemonLog}");
        Assert.Equal(before, _adm.Check("-L", "-n"));
        Assert.Equal(["s2", "s1"], _lab.ServersAnswering(2));
    }

    /// <summary>The real server (1..3) of the ESTABLISHED connection through the VIP, from `-L -c -n`; bounded.</summary>
    private int WaitForEstablishedServer()
    {
        var clock = Stopwatch.StartNew();
        string listing = "";
        while (clock.Elapsed < Limit)
        {
            listing = _adm.Check("-L", "-c", "-n");
            var match = EstablishedRow().Match(listing);
            if (match.Success) return int.Parse(match.Groups["server"].Value);
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no ESTABLISHED connection through the VIP within {Limit.TotalSeconds} s:\n{listing}\n{_lab.DaemonLog}");
    }

    private string WaitForLog(DaemonProcess daemon, string text)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            var line = daemon.Log.Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) return line;
            Thread.Sleep(20);
        }
        throw new TimeoutException($"the daemon did not log \"{text}\" within {Limit.TotalSeconds} s:\n{_lab.DaemonLog}");
    }

    [GeneratedRegex(@"(?m)^TCP +\S+ +ESTABLISHED +192\.0\.2\.100:\d+ +192\.0\.2\.10:80 +10\.0\.0\.1(?<server>[123]):80$")]
    private static partial Regex EstablishedRow();

    private static int Count(IEnumerable<string> servers, string server) => servers.Count(s => s == server);

    private static string Seen(IEnumerable<string> servers) => "answered by: " + string.Join(' ', servers);


    /// <summary>
    /// curl in the client namespace, rate-limited, its body hashed as it streams on a background task.
    /// Bounded by curl's -m and <see cref="Finish"/>'s deadline; Dispose kills curl (by its own id) if it still runs.
    /// </summary>
    private sealed class Download : IDisposable
    {
        private readonly Process _curl;
        private readonly Task<(long, byte[])> _reading;
        private readonly Task<string> _errors;

        private Download(Process curl)
        {
            _curl = curl;
            _errors = curl.StandardError.ReadToEndAsync();
            _reading = Task.Run(async () =>
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[MiB];
                long length = 0;
                int read;
                while ((read = await curl.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    length += read;
                }
                return (length, hash.GetHashAndReset());
            });
        }

        public bool HasFinished => _reading.IsCompleted;

        public static Download Start(string clientNamespace, string url, string rate)
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "netns", "exec", clientNamespace, "curl", "-sS", "--connect-timeout", "3", "-m", "90", "--limit-rate", rate, url })
                start.ArgumentList.Add(argument);
            return new Download(Process.Start(start)!);
        }

        public (long Length, byte[] Digest) Finish(TimeSpan limit)
        {
            Assert.True(_reading.Wait(limit), $"the download did not finish within {limit.TotalSeconds} s");
            Assert.True(_curl.WaitForExit(10_000), "curl did not exit after its output ended");
            Assert.True(_curl.ExitCode == 0, $"curl exited {_curl.ExitCode}: {_errors.Result}");
            return _reading.Result;
        }

        public void Dispose()
        {
            try
            {
                if (!_curl.HasExited) _curl.Kill();
                _curl.WaitForExit(5_000);
            }
            catch (InvalidOperationException) { }
            _curl.Dispose();
        }
    }
}
