#!/usr/bin/env python3
"""A lab real server: HTTP/1.1 on TCP and an echo service on UDP, each answer naming the server.

  GET /            -> "<name>\n"                 (keep-alive capable, for curl and wrk)
  GET /big?mb=N    -> N MiB of deterministic bytes (for byte-identical downloads through the VIP)
  UDP datagram     -> "<name> <datagram>"
"""
import http.server, socketserver, sys, threading, socket

name, http_port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CHUNK = bytes(range(256)) * 256  # 64 KiB, the same on every server

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        if self.path.startswith("/big"):
            mb = int(self.path.split("mb=")[1]) if "mb=" in self.path else 100
            self.send_response(200)
            self.send_header("Content-Length", str(mb * 1024 * 1024))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            for _ in range(mb * 16):
                self.wfile.write(CHUNK)
            return
        body = (name + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

def udp_echo():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", udp_port))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(name.encode() + b" " + data, peer)

threading.Thread(target=udp_echo, daemon=True).start()
Server(("0.0.0.0", http_port), Handler).serve_forever()
