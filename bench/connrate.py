#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""New TCP connections per second through a published port, run inside a network namespace:
  connrate.py serve PORT           accept and close connections forever (runs in the container)
  connrate.py client ADDR PORT N   open and close N connections, print connections/second
"""
import socket
import sys
import time


def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1024)
    while True:
        c, _ = s.accept()
        c.close()


def client(addr, port, n):
    t0 = time.perf_counter()
    for _ in range(n):
        c = socket.create_connection((addr, port), timeout=5)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
    print(f"{n / (time.perf_counter() - t0):.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
