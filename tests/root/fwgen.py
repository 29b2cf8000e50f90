#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random forward rulesets for test-fweval-kernel.sh, from a seed.

  fwgen.py SEED MODE UPLINK   print the ruleset: for MODE exact or forks, an nft script
                              making table inet fwgen; for MODE legacy, iptables-legacy-restore
                              input for table filter

The base chain drops by default and first accepts established connections (the replies of
the probe's). Its rules and those of three more chains (each jumps or goes only to a later
one, so none loops) match on what brnet check knows of a container's new connection out of
bridge brnet0, subnet 10.0.42.0/24, to UPLINK (so each is judged to apply or not), or on what
it does not know but the probe (TCP to port 8000, mark 0, from 10.0.42.2) does not have (so
each may apply, and the probe is among the rest; a connection to a published port from the
uplink, to 10.0.42.2:80 after DNAT, is among the rest too); in nft, some decide by a verdict map of
interfaces or conntrack states. With "exact" and "legacy", a rule that may apply only
accepts, drops or jumps, so check's answer is never unknown; with "forks" it may also return
or go to a chain, and the answer is unknown where the ways end apart.
"""
import random
import sys

# name: (nft, iptables, what check knows of the probe's class, the field it tests). Matches
# iptables-legacy keeps as xtables matches (conntrack) are not judged, so not used there.
MATCHES = {
    "in-bridge": ('iifname "brnet0"', "-i brnet0", "applies", "iif"),
    "out-uplink": ('oifname "{up}"', "-o {up}", "applies", "oif"),
    "src-subnet": ("ip saddr 10.0.42.0/24", "-s 10.0.42.0/24", "applies", "saddr"),
    "src-8": ("ip saddr 10.0.0.0/8", "-s 10.0.0.0/8", "applies", "saddr"),
    "src-range": ("ip saddr 10.0.0.0-10.0.42.255", None, "applies", "saddr"),
    "ct-new": ("ct state new", None, "applies", "ct"),
    "ipv4": ("meta nfproto ipv4", None, "applies", "nfproto"),
    "in-other": ('iifname "eth9"', "-i eth9", "misses", "iif"),
    "out-bridge": ('oifname "brnet0"', "-o brnet0", "misses", "oif"),
    "src-other": ("ip saddr 192.168.0.0/16", "-s 192.168.0.0/16", "misses", "saddr"),
    "src-range-other": ("ip saddr 10.0.43.0-10.0.43.255", None, "misses", "saddr"),
    "ct-est": ("ct state established", None, "misses", "ct"),
    "ct-inv": ("ct state invalid", None, "misses", "ct"),
    "dport": ("tcp dport 9999", "-p tcp --dport 9999", "maybe", "proto"),
    "dports": ("tcp dport 9000-9999", "-p tcp --dport 9000:9999", "maybe", "proto"),
    "mark": ("meta mark 0x5", "-m mark --mark 0x5", "maybe", "mark"),
    "udp": ("meta l4proto udp", "-p udp", "maybe", "proto"),
    "src-half": ("ip saddr 10.0.42.128/25", "-s 10.0.42.128/25", "maybe", "saddr"),
    "dst-subnet": ("ip daddr 10.0.42.0/24", "-d 10.0.42.0/24", "maybe", "daddr"),
}
CHAINS = ["forward", "c1", "c2", "c3"]


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


def rules(rnd, mode, uplink):
    """Each chain's rules: (match names, verdict, chain or None, nft vmap or None)."""
    legacy = mode == "legacy"
    names = [n for n, m in MATCHES.items() if not legacy or m[1] is not None]
    body = {c: [] for c in CHAINS}
    for i, chain in enumerate(CHAINS):
        later = CHAINS[i + 1:]
        for _ in range(rnd.randint(1 if chain == "forward" else 0, 4)):
            # at most one that may apply (two could contradict: udp, tcp dport), and one
            # per field (iptables takes one -s)
            matches, fields = [], set()
            for kind in rnd.sample(["applies", "misses", "maybe"], rnd.randint(0, 2)):
                n = rnd.choice([n for n in names if MATCHES[n][2] == kind])
                if MATCHES[n][3] not in fields:
                    fields.add(MATCHES[n][3])
                    matches.append(n)
            may = any(MATCHES[n][2] == "maybe" for n in matches)
            ways = mode == "forks" or not may
            # weighted so that about as many rulesets accept the probe as drop it
            verdicts = ["accept"] * 3 + ["drop"] + ["jump"] * 2 * bool(later)
            if ways:
                verdicts += ["return"] + ["goto"] * bool(later)
            v = rnd.choice(verdicts)
            target = rnd.choice(later) if v in ("jump", "goto") else None
            vm = vmap(rnd, uplink, later, ways) if not legacy and rnd.random() < 0.2 else None
            body[chain].append((matches, v, target, vm))
    return body


def print_nft(body, uplink):
    print("table inet fwgen {")
    for chain in CHAINS:
        print(f"\tchain {chain} {{")
        if chain == "forward":
            print("\t\ttype filter hook forward priority filter; policy drop;")
            print("\t\tct state established,related accept")
        for matches, v, target, vm in body[chain]:
            words = [MATCHES[n][0].format(up=uplink) for n in matches]
            words.append(vm or (f"{v} {target}" if target else v))
            print("\t\t" + " ".join(words))
        print("\t}")
    print("}")


def print_legacy(body, uplink):
    print("*filter")
    print(":INPUT ACCEPT [0:0]")
    print(":FORWARD DROP [0:0]")
    print(":OUTPUT ACCEPT [0:0]")
    for chain in CHAINS[1:]:
        print(f":{chain} - [0:0]")
    print("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
    verbs = {"accept": "-j ACCEPT", "drop": "-j DROP", "return": "-j RETURN", "jump": "-j",
             "goto": "-g"}
    for chain in CHAINS:
        name = "FORWARD" if chain == "forward" else chain
        for matches, v, target, _ in body[chain]:
            words = ["-A", name] + [MATCHES[n][1].format(up=uplink) for n in matches]
            words.append(verbs[v] + (f" {target}" if target else ""))
            print(" ".join(words))
    print("COMMIT")


def main():
    seed, mode, uplink = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    body = rules(random.Random(seed), mode, uplink)
    if mode == "legacy":
        print_legacy(body, uplink)
    else:
        print_nft(body, uplink)


if __name__ == "__main__":
    main()
