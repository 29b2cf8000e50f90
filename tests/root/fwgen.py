#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random forward rulesets for test-fweval-kernel.sh, from a seed.

  fwgen.py SEED exact|forks UPLINK   print an nft script making table inet fwgen

The table's base chain drops by default and first accepts established connections (the
replies of the probe's). Its rules and those of three more chains (each jumps or goes only to
a later one, so no loop) match on what brnet check knows of a container's new connection out
of bridge brnet0, subnet 10.0.42.0/24, to UPLINK (so each is judged to apply or not), or on
what it does not know but the probe (TCP to port 8000, mark 0, from 10.0.42.2) does not have
(so each may apply, and the probe is among the rest); some decide by a verdict map of
interfaces or conntrack states. With "exact", a rule that may apply
only accepts, drops or jumps, so check's answer is never unknown; with "forks" it may also
return or go to a chain, and the answer is unknown where the ways end apart.
"""
import random
import sys


def vmap(rnd, uplink, later, ways):
    """A verdict map on a key check knows (it asks the kernel for the key's element); with
    ways, its elements may return or go to a chain."""
    key, values = rnd.choice([
        ("iifname", ['"brnet0"', '"eth9"']),
        ("oifname", [f'"{uplink}"', '"brnet0"']),
        ("ct state", ["new", "established", "invalid"]),
    ])
    elems = []
    for value in rnd.sample(values, rnd.randint(1, len(values))):
        v = rnd.choice(
            ["accept", "drop"] + (["jump"] if later else []) +
            (["return"] + (["goto"] if later else []) if ways else []))
        if v in ("jump", "goto"):
            v += " " + rnd.choice(later)
        elems.append(f"{value} : {v}")
    return f"{key} vmap {{ {', '.join(elems)} }}"


def main():
    seed, mode, uplink = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rnd = random.Random(seed)
    applies = [
        'iifname "brnet0"',
        f'oifname "{uplink}"',
        "ip saddr 10.0.42.0/24",
        "ip saddr 10.0.0.0/8",
        "ct state new",
        "meta nfproto ipv4",
    ]
    misses = [
        'iifname "eth9"',
        'oifname "brnet0"',
        "ip saddr 192.168.0.0/16",
        "ct state established",
        "ct state invalid",
    ]
    maybe = [
        "tcp dport 9999",
        "meta mark 0x5",
        "meta l4proto udp",
        "ip saddr 10.0.42.128/25",
        "ip daddr 10.0.42.0/24",
    ]
    chains = ["forward", "c1", "c2", "c3"]
    body = {c: [] for c in chains}
    body["forward"].append("ct state established,related accept")
    for i, chain in enumerate(chains):
        later = chains[i + 1:]
        for _ in range(rnd.randint(1 if chain == "forward" else 0, 4)):
            # at most one that may apply: two of them could contradict (udp, tcp dport)
            pools = rnd.sample([applies, misses, maybe], rnd.randint(0, 2))
            matches = [rnd.choice(pool) for pool in pools]
            may = any(m in maybe for m in matches)
            # weighted so that about as many rulesets accept the probe as drop it
            verdicts = ["accept"] * 3 + ["drop"]
            if later:
                verdicts += ["jump"] * 2
            if mode == "forks" or not may:
                verdicts += ["return"] + (["goto"] if later else [])
            v = rnd.choice(verdicts)
            if v in ("jump", "goto"):
                v += " " + rnd.choice(later)
            if rnd.random() < 0.2:
                v = vmap(rnd, uplink, later, mode == "forks" or not may)
            body[chain].append(" ".join(matches + [v]))
    print("table inet fwgen {")
    for chain in chains:
        print(f"\tchain {chain} {{")
        if chain == "forward":
            print("\t\ttype filter hook forward priority filter; policy drop;")
        for rule in body[chain]:
            print(f"\t\t{rule}")
        print("\t}")
    print("}")


if __name__ == "__main__":
    main()
