#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A tiny TCP/UDP peer for the root tests: a real socket as an independent witness.

  peer.py listen tcp|udp ADDR PORT READYFILE   serve one client: print its source address,
                                               answer "pong <own address>"; write READYFILE
                                               once listening
  peer.py connect tcp|udp ADDR PORT            send "ping", print the answer; exit 1 if none
Every wait is bounded, so a broken network fails a test instead of hanging it.
"""
import socket
import sys

TIMEOUT = 5.0


def listen(proto, addr, port, ready):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.settimeout(3 * TIMEOUT)
    if proto == "tcp":
        s.listen(4)
    with open(ready, "w") as f:
        f.write("ready\n")
    if proto == "tcp":
        c, peer = s.accept()
        c.settimeout(TIMEOUT)
        c.recv(64)
        c.sendall(("pong %s\n" % c.getsockname()[0]).encode())
        c.close()
    else:
        _, peer = s.recvfrom(64)
        s.sendto(("pong %s\n" % addr).encode(), peer)
    print(peer[0], flush=True)


def connect(proto, addr, port):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(TIMEOUT)
    try:
        s.connect((addr, int(port)))
        s.send(b"ping\n")
        data = s.recv(64)
    except OSError as e:
        print("connect %s %s:%s: %s" % (proto, addr, port, e), file=sys.stderr)
        return 1
    sys.stdout.write(data.decode())
    return 0 if data.startswith(b"pong") else 1


def main(argv):
    if len(argv) == 6 and argv[1] == "listen":
        listen(argv[2], argv[3], argv[4], argv[5])
        return 0
    if len(argv) == 5 and argv[1] == "connect":
        return connect(argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
