#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Quick reachability probes for the policy tests: real sockets, one-second waits.

  probe.py serve READYFILE PROTO:PORT...   answer on each port (tcp: send "pong" and close;
                                           udp: echo "pong"), until killed
  probe.py check PROTO ADDR PORT           print "open", "refused", "unreachable" (an ICMP
                                           error: host unreachable, or prohibited) or
                                           "timeout"; PROTO udpc: over a connected UDP
                                           socket, which is told of ICMP errors
  probe.py hold ADDR PORT SECONDS          connect over tcp, then send and receive a line
                                           every 0.2 s for SECONDS; print "held" or "broken"
"""
import errno
import select
import socket
import struct
import sys
import time

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux; Python 3.11 lacks the constant


def serve(ready, specs):
    socks = []
    for spec in specs:
        proto, port = spec.split(":")
        if proto == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(port)))
            s.listen(64)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            s.bind(("0.0.0.0", int(port)))
        socks.append((proto, s))
    with open(ready, "w") as f:
        f.write("ready\n")
    conns = []
    while True:
        rl, _, _ = select.select([s for _, s in socks] + conns, [], [])
        for s in rl:
            if s in conns:
                data = s.recv(64)
                if data:
                    s.send(b"pong\n")
                else:
                    conns.remove(s)
                    s.close()
                continue
            proto = next(p for p, x in socks if x is s)
            if proto == "tcp":
                c, _ = s.accept()
                conns.append(c)
                c.send(b"pong\n")
            else:
                # Answer from the address asked, as a real server would: a reply from
                # another of our addresses would not match the client's conntrack entry.
                _, anc, _, peer = s.recvmsg(64, socket.CMSG_SPACE(12))
                info = [d for lvl, typ, d in anc if typ == IP_PKTINFO]
                # struct in_pktinfo { ifindex; spec_dst; addr }: reply from addr
                src = struct.pack("=I4s4s", 0, info[0][8:12], b"\0" * 4) if info else None
                s.sendmsg([b"pong\n"], [(socket.IPPROTO_IP, IP_PKTINFO, src)] if src else [],
                          0, peer)


def check(proto, addr, port):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(1.0)
    try:
        if proto == "tcp":
            s.connect((addr, int(port)))
            s.recv(16)
        elif proto == "udpc":
            s.connect((addr, int(port)))
            s.send(b"ping")
            s.recv(16)
        else:
            s.sendto(b"ping", (addr, int(port)))
            s.recv(16)
        return "open"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        if e.errno == errno.EHOSTUNREACH:
            return "unreachable"
        return "timeout"


def hold(addr, port, seconds):
    s = socket.create_connection((addr, int(port)), timeout=1.0)
    s.recv(16)
    end = time.monotonic() + float(seconds)
    try:
        while time.monotonic() < end:
            s.send(b"ping\n")
            if not s.recv(16):
                return "broken"
            time.sleep(0.2)
    except OSError:
        return "broken"
    return "held"


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "check":
        print(check(*sys.argv[2:5]))
    else:
        print(hold(*sys.argv[2:5]))
