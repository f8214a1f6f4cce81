using System.Diagnostics;
using System.Net;

namespace UserLvs.LabTraffic;

/// <summary>What one flood sends: addresses, ports, frame size, threads, duration and an optional rate.</summary>
public sealed record UdpFloodOptions(
    string Device,
    byte[] SourceMac,
    byte[] DestinationMac,
    IPAddress Source,
    IPAddress Destination,
    ushort DestinationPort,
    ushort SourcePortBase,
    int SourcePorts,
    int FrameLength,
    int Threads,
    double Seconds,
    long RatePerSecond,
    int Batch,
    int RingFrames);

/// <summary>What a flood did: frames handed to the kernel, time, CPU spent by this process.</summary>
public sealed record UdpFloodResult(long Sent, double Seconds, long PushBacks, TimeSpan UserCpu, TimeSpan SystemCpu)
{
    public double PacketsPerSecond => Sent / Seconds;
}

/// <summary>
/// The UDP flood: N threads, each with its own TX ring on the client interface, each ring pre-filled
/// with one frame per slot (slot i carries source port base + i mod its share of the ports, so the
/// path under test sees many flows, each scheduled once and then looked up). Each round a thread
/// marks up to a batch of free slots and flushes them with one syscall, until the deadline.
///
/// With a rate, each thread keeps its count at or below rate/N times the elapsed time (it sleeps or
/// yields when ahead): an offered load instead of a saturating one. No allocation in the loop.
/// </summary>
public static class UdpFlood
{
    public static UdpFloodResult Run(UdpFloodOptions options)
    {
        var rings = new PacketTxRing[options.Threads];
        int portsPerThread = Math.Max(1, options.SourcePorts / options.Threads);
        for (int t = 0; t < options.Threads; t++)
        {
            var ring = PacketTxRing.Open(options.Device, options.RingFrames, options.FrameLength);
            for (int i = 0; i < ring.FrameCount; i++)
            {
                ushort port = (ushort)(options.SourcePortBase + t * portsPerThread + i % portsPerThread);
                UdpFrame.Write(ring.Frame(i, options.FrameLength), options.SourceMac, options.DestinationMac,
                    options.Source, options.Destination, port, options.DestinationPort, (ushort)i);
            }
            rings[t] = ring;
        }

        var sent = new long[options.Threads];
        var pushBacks = new long[options.Threads];
        var process = Process.GetCurrentProcess();
        var user0 = process.UserProcessorTime;
        var system0 = process.PrivilegedProcessorTime;
        long start = Stopwatch.GetTimestamp();
        long deadline = start + (long)(options.Seconds * Stopwatch.Frequency);
        double perThreadRate = options.RatePerSecond > 0 ? (double)options.RatePerSecond / options.Threads : 0;

        var threads = new Thread[options.Threads];
        for (int t = 0; t < options.Threads; t++)
        {
            int index = t;
            threads[t] = new Thread(() => Send(rings[index], options.Batch, start, deadline, perThreadRate, out sent[index], out pushBacks[index]))
            {
                Name = $"labtraffic-{t}",
                IsBackground = true,
            };
            threads[t].Start();
        }
        foreach (var thread in threads) thread.Join();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        var result = new UdpFloodResult(sent.Sum(), seconds, pushBacks.Sum(),
            process.UserProcessorTime - user0, process.PrivilegedProcessorTime - system0);
        foreach (var ring in rings) ring.Dispose();
        return result;
    }

    private static void Send(PacketTxRing ring, int batch, long start, long deadline, double rate, out long sent, out long pushBacks)
    {
        sent = 0;
        pushBacks = 0;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < deadline)
        {
            if (rate > 0)
            {
                double allowed = rate * (now - start) / Stopwatch.Frequency;
                double ahead = sent - allowed;
                if (ahead > 0)
                {
                    // Ahead of the offered rate: sleep whole milliseconds, yield below one.
                    int ms = (int)(ahead * 1000 / rate);
                    if (ms > 0) Thread.Sleep(ms); else Thread.Yield();
                    continue;
                }
            }
            sent += ring.Queue(batch);
            if (!ring.Flush()) pushBacks++;
        }
        // Frames still marked at the deadline go out with one last flush (bounded: the ring's size).
        ring.Flush();
    }
}
