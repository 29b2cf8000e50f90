#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""badrule.py CHAIN HEX: appends to inet brnet's CHAIN a rule with no expression and the user
data HEX, byte for byte. The kernel keeps user data as it is written, so a test can plant what
nft, which writes only well-formed user data, cannot. Raw nfnetlink, one batch."""
import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_NFTABLES = 10
NFT_MSG_NEWRULE = 6
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_APPEND = 1, 4, 0x400, 0x800
NFPROTO_INET = 1

def attr(t, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, t) + data + b"\0" * ((4 - n % 4) % 4)

def msg(mtype, flags, seq, family, res_id, payload=b""):
    body = struct.pack("=BBH", family, 0, socket.htons(res_id)) + payload
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body

def main(chain, udata):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    rule = attr(1, b"brnet\0") + attr(2, chain.encode() + b"\0") + attr(7, udata)
    batch = (msg(0x10, NLM_F_REQUEST, 1, 0, NFNL_SUBSYS_NFTABLES)
             + msg((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE,
                   NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, 2, NFPROTO_INET, 0, rule)
             + msg(0x11, NLM_F_REQUEST, 3, 0, NFNL_SUBSYS_NFTABLES))
    s.send(batch)
    data = s.recv(65536)
    length, mtype, flags, seq, pid = struct.unpack("=IHHII", data[:16])
    err = struct.unpack("=i", data[16:20])[0] if mtype == 2 else None
    if err:
        print("kernel refused: %s" % os.strerror(-err), file=sys.stderr)
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1], bytes.fromhex(sys.argv[2])))
