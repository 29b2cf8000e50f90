#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Latency and peak-RSS comparison, run by bench/run inside a private namespace.

Every tool is timed as a whole process (spawn to exit), the way a runtime would call it, and
its peak RSS is read from wait4(). The kernel's own cost of deleting a veth pair is measured
in-process over raw netlink, as the floor for teardown.
"""
import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import time

CNI_DIR = "/usr/lib/cni"


SPAWN = None  # path of bench/spawn, set in main()


def spawn(argv, env=None, stdin_path=None, stdout_path=None):
    """Runs argv through bench/spawn; returns (seconds, peak RSS in KiB, exit status)."""
    cmd = [SPAWN] + (["-i", stdin_path] if stdin_path else []) + \
        (["-o", stdout_path] if stdout_path else []) + argv
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    ns, kb, rc = map(int, out.split())
    return ns / 1e9, kb, rc


def netns_add(name):
    subprocess.run(["ip", "netns", "add", name], check=True)


def netns_del(name):
    subprocess.run(["ip", "netns", "del", name], check=True)


def stats(xs):
    xs = sorted(xs)
    q = statistics.quantiles(xs, n=10)
    return {"median": statistics.median(xs) * 1e3, "p10": q[0] * 1e3, "p90": q[-1] * 1e3}


CNI_CONF = "/run/cni-bench.json"


def cni_env(cmd, cid, ns):
    return dict(os.environ, CNI_COMMAND=cmd, CNI_CONTAINERID=cid, CNI_NETNS=ns,
                CNI_IFNAME="eth0", CNI_PATH=CNI_DIR)


def kernel_veth_delete(sock, ns, seq):
    """The floor for teardown: one RTM_DELLINK of a veth whose peer is in another namespace."""
    name = f"kv{seq}"
    subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", "eth0",
                    "netns", ns], check=True)
    # made like brnet's host end: no IPv6 link-local, up
    subprocess.run(["ip", "link", "set", name, "addrgenmode", "none"], check=True)
    subprocess.run(["ip", "link", "set", name, "up"], check=True)
    ifname = name.encode() + b"\0"
    attr = struct.pack("=HH", 4 + len(ifname), 3) + ifname
    attr += b"\0" * ((4 - len(attr) % 4) % 4)
    body = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + attr
    msg = struct.pack("=IHHII", 16 + len(body), 17, 0x5, seq, 0) + body  # RTM_DELLINK, ACK
    t0 = time.perf_counter()
    sock.send(msg)
    ack = sock.recv(4096)
    dt = time.perf_counter() - t0
    assert struct.unpack("=i", ack[16:20])[0] == 0, "RTM_DELLINK failed"
    return dt


def run_all(brnet, n):
    """Interleaved, so that every tool sees the same machine state: each round creates a
    namespace per tool, attaches, detaches and deletes it, in the same order."""
    res = {k: [] for k in ("b_setup", "b_down", "c_setup", "c_down", "k_down", "n_setup", "n_down",
                           "f_setup")}
    rss = {"brnet": 0, "cni": 0, "brnet-cni": 0}
    benv = dict(os.environ, BRNET_STATE_DIR="/run/brnet-bench")
    with open(CNI_CONF, "w") as f:
        json.dump({
            "cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "cni0",
            "isGateway": True, "ipMasq": True,
            "ipam": {"type": "host-local", "subnet": "10.88.0.0/16",
                     "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "/run/cni-bench"},
        }, f)
    plugin = os.path.join(CNI_DIR, "bridge")
    write_brnet_cni_conf(BRNET_CNI_CONF, [])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    sock.bind((0, 0))

    # The floor's own bridge and set, made once, outside the timing.
    for cmd in (["ip", "link", "add", "brfloor", "type", "bridge"], ["ip", "link", "set", "brfloor", "up"],
                ["ip", "addr", "add", "10.78.0.1/24", "dev", "brfloor"],
                ["nft", "add", "table", "inet", "floor"],
                ["nft", "add", "set", "inet", "floor", "s", "{ type ipv4_addr; }"]):
        subprocess.run(cmd, check=True)

    # Steady state: both networks exist; the first container pays for creating them.
    for ns in ("bwarm", "cwarm"):
        netns_add(ns)
    spawn([brnet, "setup", "--netns", "/run/netns/bwarm", "--id", "warm"], benv)
    spawn([plugin], cni_env("ADD", "cwarm", "/run/netns/cwarm"), CNI_CONF)
    netns_add("nwarm")
    spawn([BRNET_CNI], cni_env("ADD", "nwarm", "/run/netns/nwarm"), BRNET_CNI_CONF)

    for i in range(n):
        netns_add("x")
        dt, kb, rc = spawn([brnet, "setup", "--netns", "/run/netns/x", "--id", "x"], benv)
        assert rc == 0, "brnet setup failed"
        res["b_setup"].append(dt)
        rss["brnet"] = max(rss["brnet"], kb)
        dt, kb, rc = spawn([brnet, "teardown", "--id", "x"], benv)
        assert rc == 0, "brnet teardown failed"
        res["b_down"].append(dt)
        rss["brnet"] = max(rss["brnet"], kb)
        netns_del("x")

        netns_add("x")
        dt, kb, rc = spawn([plugin], cni_env("ADD", f"c{i}", "/run/netns/x"), CNI_CONF)
        assert rc == 0, "CNI bridge ADD failed"
        res["c_setup"].append(dt)
        rss["cni"] = max(rss["cni"], kb)
        dt, kb, rc = spawn([plugin], cni_env("DEL", f"c{i}", "/run/netns/x"), CNI_CONF)
        assert rc == 0, "CNI bridge DEL failed"
        res["c_down"].append(dt)
        rss["cni"] = max(rss["cni"], kb)
        netns_del("x")

        netns_add("x")
        dt, kb, rc = spawn([BRNET_CNI], cni_env("ADD", f"n{i}", "/run/netns/x"), BRNET_CNI_CONF)
        assert rc == 0, "brnet-cni ADD failed"
        res["n_setup"].append(dt)
        rss["brnet-cni"] = max(rss["brnet-cni"], kb)
        dt, kb, rc = spawn([BRNET_CNI], cni_env("DEL", f"n{i}", "/run/netns/x"), BRNET_CNI_CONF)
        assert rc == 0, "brnet-cni DEL failed"
        res["n_down"].append(dt)
        rss["brnet-cni"] = max(rss["brnet-cni"], kb)
        netns_del("x")

        netns_add("x")
        res["k_down"].append(kernel_veth_delete(sock, "x", i + 1))
        netns_del("x")

        netns_add("x")
        dt, _, rc = spawn([FLOOR, "/run/netns/x", "brfloor", "fl0", "10.78.0.2/24", "10.78.0.1", "s"])
        assert rc == 0, "the floor program failed"
        res["f_setup"].append(dt)
        subprocess.run(["ip", "link", "del", "fl0"], check=True)
        netns_del("x")
    return res, rss


BRNET_CNI = None  # path of brnet-cni, set in main()
FLOOR = None  # path of bench/floor, set in main()
BRNET_CNI_CONF = "/run/brnet-cni-bench.json"
BRNET_CNI_PORT_CONF = "/run/brnet-cni-bench-port.json"


def write_brnet_cni_conf(path, ports):
    """The reference config with only the type (and bridge and subnet, to keep the two
    networks apart) changed; ports arrive as the runtime sends them, in runtimeConfig."""
    with open(path, "w") as f:
        json.dump({
            "cniVersion": "1.0.0", "name": "bench-brnet", "type": "brnet-cni", "bridge": "cni1",
            "isGateway": True, "ipMasq": True, "stateDir": "/run/brnet-cni-bench",
            "ipam": {"type": "brnet", "subnet": "10.89.0.0/16"},
            "runtimeConfig": {"portMappings": [{"hostPort": p, "containerPort": 80, "protocol": "tcp"}
                                               for p in ports]},
        }, f)


def cni_portmap_conf(prev, port):
    return {"cniVersion": "1.0.0", "name": "bench", "type": "portmap",
            "capabilities": {"portMappings": True},
            "runtimeConfig": {"portMappings": [{"hostPort": port, "containerPort": 80,
                                                 "protocol": "tcp"}]},
            "prevResult": prev}


def run_ports(brnet, n):
    """Setup with one published port: brnet vs the CNI bridge + portmap chain (two processes,
    as a runtime runs them). Then the cost of the Nth port: setup with one port while 999
    other ports are published, against the same with none."""
    res = {"b1": [], "c1": [], "n1": [], "b_first": [], "b_1000th": []}
    write_brnet_cni_conf(BRNET_CNI_PORT_CONF, [8082])
    benv = dict(os.environ, BRNET_STATE_DIR="/run/brnet-bench")
    plugin_dir = CNI_DIR
    for i in range(n):
        netns_add("x")
        dt, _, rc = spawn([brnet, "setup", "--netns", "/run/netns/x", "--id", "p", "-p", "8080:80"], benv)
        assert rc == 0, "brnet setup -p failed"
        res["b1"].append(dt)
        spawn([brnet, "teardown", "--id", "p"], benv)
        netns_del("x")

        netns_add("x")
        d1, _, rc = spawn([os.path.join(plugin_dir, "bridge")], cni_env("ADD", f"p{i}", "/run/netns/x"),
                          CNI_CONF, "/run/cni-prev.json")
        assert rc == 0, "CNI bridge ADD failed"
        with open("/run/cni-prev.json") as f:
            prev = json.load(f)
        with open("/run/cni-portmap.json", "w") as f:
            json.dump(cni_portmap_conf(prev, 8080), f)
        d2, _, rc = spawn([os.path.join(plugin_dir, "portmap")], cni_env("ADD", f"p{i}", "/run/netns/x"),
                          "/run/cni-portmap.json")
        assert rc == 0, "CNI portmap ADD failed"
        res["c1"].append(d1 + d2)
        spawn([os.path.join(plugin_dir, "portmap")], cni_env("DEL", f"p{i}", "/run/netns/x"),
              "/run/cni-portmap.json")
        spawn([os.path.join(plugin_dir, "bridge")], cni_env("DEL", f"p{i}", "/run/netns/x"), CNI_CONF)
        netns_del("x")

        netns_add("x")
        dt, _, rc = spawn([BRNET_CNI], cni_env("ADD", f"p{i}", "/run/netns/x"), BRNET_CNI_PORT_CONF)
        assert rc == 0, "brnet-cni ADD with a port mapping failed"
        res["n1"].append(dt)
        spawn([BRNET_CNI], cni_env("DEL", f"p{i}", "/run/netns/x"), BRNET_CNI_PORT_CONF)
        netns_del("x")

    def one_port_setups(key):
        for i in range(n):
            netns_add("x")
            dt, _, rc = spawn([brnet, "setup", "--netns", "/run/netns/x", "--id", "q", "-p", "8081:80"], benv)
            assert rc == 0, "brnet setup -p failed"
            res[key].append(dt)
            spawn([brnet, "teardown", "--id", "q"], benv)
            netns_del("x")

    one_port_setups("b_first")
    netns_add("many")
    dt, _, rc = spawn([brnet, "setup", "--netns", "/run/netns/many", "--id", "many",
                       "-p", "20000-20998:20000-20998"], benv)
    assert rc == 0, "brnet setup of 999 ports failed"
    one_port_setups("b_1000th")
    return res


def run_connrate(brnet, rounds=5, conns=2000):
    """Connections per second from an upstream namespace through a published port, with 1
    and then with 1000 ports published (a second container holds the other 999)."""
    benv = dict(os.environ, BRNET_STATE_DIR="/run/brnet-rate")
    here = os.path.dirname(os.path.abspath(__file__))
    sh = lambda *a: subprocess.run(list(a), check=True)
    sh("ip", "netns", "add", "up")
    sh("ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", "up")
    sh("ip", "addr", "add", "198.51.100.2/24", "dev", "up0")
    sh("ip", "link", "set", "up0", "up")
    sh("ip", "-n", "up", "addr", "add", "198.51.100.1/24", "dev", "eth0")
    sh("ip", "-n", "up", "link", "set", "eth0", "up")
    sh("ip", "-n", "up", "link", "set", "lo", "up")
    netns_add("srv")
    spawn([brnet, "setup", "--netns", "/run/netns/srv", "--id", "srv", "--bridge", "brrate",
           "--subnet", "10.77.0.0/24", "-p", "8080:80"], benv)
    server = subprocess.Popen(["ip", "netns", "exec", "srv", "python3", os.path.join(here, "connrate.py"),
                               "serve", "80"])
    time.sleep(0.5)

    def measure():
        out = []
        for _ in range(rounds):
            r = subprocess.run(["ip", "netns", "exec", "up", "python3", os.path.join(here, "connrate.py"),
                                "client", "198.51.100.2", "8080", str(conns)],
                               check=True, capture_output=True, text=True)
            out.append(float(r.stdout))
        return out

    one = measure()
    netns_add("many2")
    spawn([brnet, "setup", "--netns", "/run/netns/many2", "--id", "many2", "--bridge", "brrate",
           "-p", "30000-30998:30000-30998"], benv)
    thousand = measure()
    server.kill()
    return one, thousand


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brnet", required=True)
    ap.add_argument("--spawn", required=True)
    ap.add_argument("--brnet-cni", required=True)
    ap.add_argument("--iterations", type=int, default=100)
    a = ap.parse_args()
    n = a.iterations

    global SPAWN, BRNET_CNI, FLOOR
    SPAWN = os.path.abspath(a.spawn)
    BRNET_CNI = os.path.abspath(a.brnet_cni)
    FLOOR = os.path.join(os.path.dirname(SPAWN), "floor")
    res, rss = run_all(os.path.abspath(a.brnet), n)
    pres = run_ports(os.path.abspath(a.brnet), max(10, n // 2))
    rate1, rate1000 = run_connrate(os.path.abspath(a.brnet))
    bs, bd, cs, cd, kd, ns_, nd, fs = (stats(res[k]) for k in ("b_setup", "b_down", "c_setup", "c_down",
                                                              "k_down", "n_setup", "n_down", "f_setup"))
    b_rss, c_rss, n_rss = rss["brnet"], rss["cni"], rss["brnet-cni"]
    floor_kb = spawn(["/bin/true"])[1]

    uname = os.uname()
    print(f"# brnet benchmark, {time.strftime('%Y-%m-%d')}\n")
    print(f"{n} rounds, interleaved; whole processes timed from a small C parent, in a "
          f"private network namespace; kernel {uname.release}, {os.cpu_count()} CPUs. "
          f"Peak RSS is ru_maxrss, which includes the parent's image before exec: "
          f"/bin/true measures {floor_kb / 1024:.2f} MiB this way.\n")
    print("| operation | tool | median ms | p10 ms | p90 ms | peak RSS |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for op, tool, st, rss in (("setup", "brnet", bs, b_rss), ("setup (ADD)", "brnet-cni", ns_, n_rss),
                              ("setup (ADD)", "CNI bridge + host-local", cs, c_rss),
                              ("teardown", "brnet", bd, b_rss), ("teardown (DEL)", "brnet-cni", nd, n_rss),
                              ("teardown (DEL)", "CNI bridge + host-local", cd, c_rss)):
        print(f"| {op} | {tool} | {st['median']:.2f} | {st['p10']:.2f} | {st['p90']:.2f} | {rss / 1024:.1f} MiB |")
    print(f"| teardown floor | kernel RTM_DELLINK of a veth, in-process | {kd['median']:.2f} | {kd['p10']:.2f} | {kd['p90']:.2f} | |")
    print(f"| setup floor | bench/floor: veth, inside config, one element; a whole process | {fs['median']:.2f} | {fs['p10']:.2f} | {fs['p90']:.2f} | |")
    print()
    print("| ratio | value | target |")
    print("| --- | ---: | --- |")
    r1 = cs["median"] / bs["median"]
    r2 = bd["median"] / kd["median"]
    print(f"| CNI bridge setup / brnet setup | {r1:.1f}x | >= 10x |")
    print(f"| CNI bridge ADD / brnet-cni ADD | {cs['median'] / ns_['median']:.1f}x | >= 10x |")
    print(f"| CNI bridge DEL / brnet-cni DEL | {cd['median'] / nd['median']:.1f}x | |")
    print(f"| brnet teardown / kernel veth deletion | {r2:.2f}x | <= 1.2x |")
    print(f"| brnet setup / setup floor | {bs['median'] / fs['median']:.2f}x | <= 1.2x |")
    print(f"| brnet-cni ADD / setup floor | {ns_['median'] / fs['median']:.2f}x | |")
    print(f"| brnet peak RSS | {b_rss / 1024:.2f} MiB | < 2.5 MB |")
    print(f"| CNI bridge setup / brnet setup, p90 vs p90 | {cs['p90'] / bs['p90']:.1f}x | |")

    b1, c1, n1, bf, bk = (stats(pres[k]) for k in ("b1", "c1", "n1", "b_first", "b_1000th"))
    print()
    print("### Published ports")
    print()
    print("| operation | median ms | p10 ms | p90 ms |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| brnet setup with 1 published port | {b1['median']:.2f} | {b1['p10']:.2f} | {b1['p90']:.2f} |")
    print(f"| brnet-cni ADD with 1 port mapping | {n1['median']:.2f} | {n1['p10']:.2f} | {n1['p90']:.2f} |")
    print(f"| CNI bridge + portmap ADD (the two processes of the chain) | {c1['median']:.2f} | {c1['p10']:.2f} | {c1['p90']:.2f} |")
    print(f"| brnet setup, 1 port, none published before | {bf['median']:.2f} | {bf['p10']:.2f} | {bf['p90']:.2f} |")
    print(f"| brnet setup, 1 port, 999 published before | {bk['median']:.2f} | {bk['p10']:.2f} | {bk['p90']:.2f} |")
    print()
    print("| ratio | value | target |")
    print("| --- | ---: | --- |")
    print(f"| CNI bridge+portmap / brnet, setup with 1 port | {c1['median'] / b1['median']:.1f}x | >= 15x |")
    print(f"| CNI bridge+portmap / brnet-cni, ADD with 1 port | {c1['median'] / n1['median']:.1f}x | >= 10x |")
    print(f"| 1000th port / 1st port | {bk['median'] / bf['median']:.2f}x | <= 1.2x |")
    m1, m1000 = statistics.median(rate1), statistics.median(rate1000)
    print()
    print("| new TCP connections per second through a published port, upstream -> host | median | runs |")
    print("| --- | ---: | --- |")
    print(f"| with 1 port published | {m1:.0f} | {', '.join(f'{x:.0f}' for x in rate1)} |")
    print(f"| with 1000 ports published | {m1000:.0f} | {', '.join(f'{x:.0f}' for x in rate1000)} |")
    print(f"| ratio (target: equal within noise) | {m1000 / m1:.2f}x | |")


if __name__ == "__main__":
    main()
