#!/usr/bin/env python3
"""Measures the client outage of a failover: how long new connections to the VIP went unanswered.

Every INTERVAL a probe is sent to TARGET (a UDP echo service through the VIP) from a fresh socket,
so each probe is a new connection the active router must schedule. A probe counts as answered when
its echo comes back within --timeout. The outage is the longest stretch of unanswered probes,
measured from the first unanswered probe's send time to the send time of the next answered one.

    outage.py 192.0.2.10:5353 --interval-ms 1 --seconds 8 [--stop-file F]

Prints one line "outage_ms=N sent=N answered=N lost=N first_lost_at_ms=N" and exits 0 (2 if no
probe was answered at all). Runs at most --seconds (plus the reply timeout); --stop-file ends it early
once the file exists. Every socket it opens is closed.
"""
import argparse
import os
import select
import socket
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--interval-ms", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--timeout-ms", type=float, default=500.0)
    parser.add_argument("--stop-file")
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)
    target = (host, int(port))
    interval = args.interval_ms / 1000.0
    timeout = args.timeout_ms / 1000.0

    start = time.monotonic()
    sent = {}       # seq -> send time
    answered = {}   # seq -> reply time
    open_sockets = {}  # fd -> (socket, seq)
    seq = 0
    next_send = start
    stop_at = start + args.seconds
    while True:
        now = time.monotonic()
        stopping = now >= stop_at or (args.stop_file and os.path.exists(args.stop_file))
        if not stopping and now >= next_send:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setblocking(False)
            try:
                sock.sendto(b"probe %d" % seq, target)
                sent[seq] = now
                open_sockets[sock.fileno()] = (sock, seq)
            except OSError:
                sent[seq] = now
                sock.close()
            seq += 1
            next_send += interval
            if next_send < now - 1.0:  # fell far behind (the host stalled): do not burst to catch up
                next_send = now
        # Close what timed out; stop once sending ended and nothing is outstanding.
        for fd, (sock, s) in list(open_sockets.items()):
            if now - sent[s] > timeout:
                sock.close()
                del open_sockets[fd]
        if stopping and not open_sockets:
            break
        wait = max(0.0, min(next_send - time.monotonic(), 0.05)) if not stopping else 0.05
        readable = select.select([s for s, _ in open_sockets.values()], [], [], wait)[0] if open_sockets else []
        if not open_sockets and wait > 0:
            time.sleep(wait)
        for sock in readable:
            fd = sock.fileno()
            entry = open_sockets.pop(fd, None)
            if entry is None:
                continue
            try:
                data = sock.recv(2048)
                if data.endswith(b" probe %d" % entry[1]):  # realserver.py echoes "<name> <datagram>"
                    answered[entry[1]] = time.monotonic()
            except OSError:
                pass
            sock.close()

    if not answered:
        print(f"outage_ms=-1 sent={len(sent)} answered=0 lost={len(sent)} first_lost_at_ms=-1")
        return 2
    # Only gaps between two answered probes count; unanswered probes at the very end (the run
    # stopped before the service came back) count up to the last send.
    outage = 0.0
    first_lost_at = -1.0
    gap_start = None
    for s in range(len(sent)):
        if s in answered:
            if gap_start is not None:
                length = sent[s] - sent[gap_start]
                if length > outage:
                    outage, first_lost_at = length, sent[gap_start] - start
                gap_start = None
        elif gap_start is None:
            gap_start = s
    if gap_start is not None:
        length = sent[len(sent) - 1] - sent[gap_start] + interval
        if length > outage:
            outage, first_lost_at = length, sent[gap_start] - start
    lost = len(sent) - len(answered)
    print(f"outage_ms={outage * 1000:.1f} sent={len(sent)} answered={len(answered)} lost={lost} "
          f"first_lost_at_ms={first_lost_at * 1000 if first_lost_at >= 0 else -1:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
