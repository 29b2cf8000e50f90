#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs one CNI case file: invokes a plugin exactly as libcni does (CNI_* environment, config
on stdin, result or error on stdout, exit status) and checks what it printed and what it did.

The case runs in private network, mount and PID namespaces with tmpfs on /run and
/var/lib/cni (host-local's store), so nothing touches the machine's own network or files.

A case file is JSON: {"description", "config": base network config, "steps": [...]}. Steps:
  {"netns": NAME}                  create /run/netns/NAME
  {"netns_del": NAME}              delete it
  {"cni": VERB, "id", "ifname", "netns", "config_patch", "config_raw", "env", "prevResult",
   "plugin", "save", "expect"}     run the plugin (brnet-cni unless "plugin" names another)
  {"parallel": N, "step": {...}}   N copies of a cni step at once; "{i}" in strings is 0..N-1
  {"sh": CMD, "expect_rc": 0}      a witness (ip -j, nft -j, ping) in the test's host namespace
  {"clean": true}                  nothing of brnet is left: links, records, leases, elements
expect: {"exit": 0|1, "code": N, "msg": SUBSTRING, "stdout": "" (nothing printed),
         "stderr": TEXT (all of it, stripped), "stderr_has": SUBSTRING,
         "result": {"dotted.path": value}, "absent": ["dotted.path"], "count": {"path": n}}
"""
import copy
import glob
import json
import os
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("BRNET_BUILD", os.path.join(HERE, "..", "..", "build"))
PLUGIN = os.path.join(BUILD, "src", "brnet-cni")
REFERENCE_DIR = "/usr/lib/cni"


def skip(why):
    if os.environ.get("CI") == "true" or os.environ.get("BRNET_MUST_WORK"):
        print(f"FAIL: cannot run here, and this run must not skip: {why}")
        sys.exit(1)
    print(f"SKIP: {why}")
    sys.exit(77)


class Failure(Exception):
    pass


def sandbox():
    if os.environ.get("BRNET_SANDBOX"):
        return
    if os.geteuid() != 0:
        skip("needs root")
    if not os.access(PLUGIN, os.X_OK):
        raise SystemExit(f"FAIL: plugin not built at {PLUGIN}")
    os.environ["BRNET_SANDBOX"] = "1"
    os.execvp("unshare", ["unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc",
                          "--propagation", "private", sys.executable] + sys.argv)


def sh(cmd, check=True):
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise Failure(f"`{cmd}` exited {p.returncode}: {p.stderr.strip()}")
    return p


def prepare():
    sh("mount -t tmpfs -o mode=0755 brnet-test /run")
    os.makedirs("/var/lib/cni", exist_ok=True)
    sh("mount -t tmpfs -o mode=0755 brnet-test-cni /var/lib/cni")
    os.makedirs("/run/netns")
    os.environ["BRNET_STATE_DIR"] = "/run/brnet"
    os.environ["PEER"] = os.path.join(HERE, "..", "root", "peer.py")
    os.environ["BRNET"] = os.path.join(BUILD, "src", "brnet")
    os.environ["BRNET_CNI"] = PLUGIN  # for a step that runs it on another "node" (ip netns exec)
    os.environ["PROBE"] = os.path.join(HERE, "..", "root", "probe.py")
    sh("ip link set lo up")
    # The outside world at 198.51.100.1, reachable only through masquerade.
    sh("ip netns add upstream")
    sh("ip link add up0 type veth peer name eth0 netns upstream")
    sh("ip addr add 198.51.100.2/24 dev up0 && ip link set up0 up")
    sh("ip -n upstream addr add 198.51.100.1/24 dev eth0 && ip -n upstream link set eth0 up")


def get_path(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            if not part.isdigit() or int(part) >= len(obj):
                raise KeyError(path)
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            if part not in obj:
                raise KeyError(path)
            obj = obj[part]
        else:
            raise KeyError(path)
    return obj


def merge(base, patch):
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def subst(value, i):
    if isinstance(value, str):
        return value.replace("{i}", str(i))
    if isinstance(value, dict):
        return {k: subst(v, i) for k, v in value.items()}
    if isinstance(value, list):
        return [subst(v, i) for v in value]
    return value


class Case:
    def __init__(self, path):
        with open(path) as f:
            self.case = json.load(f)
        self.path = path
        self.saved = {}
        self.lock = threading.Lock()

    def request(self, step):
        """The environment and stdin libcni would give the plugin for this step."""
        verb = step["cni"]
        conf = merge(self.case.get("config", {}), step.get("config_patch", {}))
        if "prevResult" in step:
            conf["prevResult"] = self.saved[step["prevResult"]]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CNI_")}
        env.update({"CNI_COMMAND": verb, "CNI_PATH": REFERENCE_DIR})
        if verb in ("ADD", "DEL", "CHECK"):
            env["CNI_CONTAINERID"] = step.get("id", "c1")
            env["CNI_IFNAME"] = step.get("ifname", "eth0")
            if step.get("netns"):
                env["CNI_NETNS"] = "/run/netns/" + step["netns"]
        for k, v in step.get("env", {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        text = step["config_raw"] if "config_raw" in step else json.dumps(conf)
        return env, text

    def run_cni(self, step):
        env, text = self.request(step)
        plugin = PLUGIN
        if "plugin" in step:
            plugin = os.path.join(REFERENCE_DIR, step["plugin"])
        p = subprocess.run([plugin], input=text, env=env, capture_output=True, text=True,
                           timeout=60)
        what = f"{step['cni']} {env.get('CNI_CONTAINERID', '')}"
        out = None
        if p.stdout.strip():
            try:
                out = json.loads(p.stdout)
            except ValueError:
                raise Failure(f"{what}: stdout is not JSON: {p.stdout!r}")
        self.check(what, step.get("expect", {"exit": 0}), p, out, "plugin" not in step)
        if "save" in step:
            with self.lock:
                self.saved[step["save"]] = out
        return out

    def check(self, what, expect, p, out, ours):
        ctx = f"{what}: exit {p.returncode}, stdout {p.stdout.strip()!r}, stderr {p.stderr.strip()!r}"
        want_exit = expect.get("exit", 0)
        if (p.returncode == 0) != (want_exit == 0):
            raise Failure(f"expected exit {want_exit}; {ctx}")
        # brnet-cni fails with exactly 1: anything else is a crash or a sanitizer's report.
        if ours and p.returncode not in (0, 1):
            raise Failure(f"exit status {p.returncode} is neither success nor failure; {ctx}")
        if p.returncode != 0:
            # Every error is a JSON object with code, msg and details.
            if not isinstance(out, dict) or not {"code", "msg", "details"} <= out.keys():
                raise Failure(f"error is not a CNI error object; {ctx}")
            if not isinstance(out["code"], int):
                raise Failure(f"error code is not an integer; {ctx}")
        if "code" in expect and (out or {}).get("code") != expect["code"]:
            raise Failure(f"expected code {expect['code']}; {ctx}")
        if "msg" in expect and expect["msg"] not in (out or {}).get("msg", ""):
            raise Failure(f"expected msg containing {expect['msg']!r}; {ctx}")
        if "stdout" in expect and p.stdout.strip() != expect["stdout"]:
            raise Failure(f"expected stdout {expect['stdout']!r}; {ctx}")
        if "stderr" in expect and p.stderr.strip() != expect["stderr"]:
            raise Failure(f"expected stderr {expect['stderr']!r}; {ctx}")
        if "stderr_has" in expect and expect["stderr_has"] not in p.stderr:
            raise Failure(f"expected stderr containing {expect['stderr_has']!r}; {ctx}")
        for path, value in expect.get("result", {}).items():
            try:
                got = get_path(out, path)
            except KeyError:
                raise Failure(f"result has no {path}; {ctx}")
            if got != value:
                raise Failure(f"result {path} is {got!r}, expected {value!r}; {ctx}")
        for path in expect.get("absent", []):
            try:
                get_path(out, path)
            except KeyError:
                continue
            raise Failure(f"result has {path}, which this version must not carry; {ctx}")
        for path, n in expect.get("count", {}).items():
            got = get_path(out, path)
            if len(got) != n:
                raise Failure(f"result {path} has {len(got)} entries, expected {n}; {ctx}")

    def parallel(self, step):
        errors, threads = [], []

        def one(i):
            try:
                self.run_cni(subst(step["step"], i))
            except Exception as e:  # collected and reported together
                errors.append(f"[{i}] {e}")

        for i in range(step["parallel"]):
            threads.append(threading.Thread(target=one, args=(i,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise Failure(f"{len(errors)} of {step['parallel']} failed: " + "; ".join(errors))

    def clean(self):
        links = json.loads(sh("ip -j link show").stdout)
        ours = [l["ifname"] for l in links if l["ifname"].startswith("vb")]
        if ours:
            raise Failure(f"host veths left: {ours}")
        records = glob.glob("/run/brnet/attachments/*.json")
        if records:
            raise Failure(f"records left: {records}")
        leases = [f for f in glob.glob("/run/brnet/networks/*/leases/*")
                  if not f.endswith("/last")]
        if leases:
            raise Failure(f"leases left: {leases}")
        p = sh("nft -j list table inet brnet", check=False)
        if p.returncode == 0:
            for item in json.loads(p.stdout)["nftables"]:
                m = item.get("map") or item.get("set")
                if m and m.get("elem"):
                    raise Failure(f"nft elements left in {m['name']}: {m['elem']}")

    def links_match(self, result):
        """Every interface of an ADD result has the MAC address and MTU the kernel shows."""
        for iface in result["interfaces"]:
            ns = ["-n", os.path.basename(iface["sandbox"])] if iface.get("sandbox") else []
            p = sh(f"ip {' '.join(ns)} -j link show dev {iface['name']}", check=False)
            if p.returncode != 0:
                raise Failure(f"interface {iface['name']} of the result: {p.stderr.strip()}")
            link = json.loads(p.stdout)[0]
            for key, kernel in (("mac", link["address"]), ("mtu", link["mtu"])):
                if iface.get(key) != kernel:
                    raise Failure(f"interface {iface['name']}: result {key} {iface.get(key)!r}, "
                                  f"kernel {kernel!r}")

    def run(self):
        for n, step in enumerate(self.case["steps"]):
            try:
                if "netns" in step and "cni" not in step:
                    sh(f"ip netns add {step['netns']}")
                elif "netns_del" in step:
                    sh(f"ip netns del {step['netns_del']}")
                elif "parallel" in step:
                    self.parallel(step)
                elif "cni" in step:
                    self.run_cni(step)
                elif "sh" in step:
                    p = sh(step["sh"], check=False)
                    if p.returncode != step.get("expect_rc", 0):
                        raise Failure(f"`{step['sh']}` exited {p.returncode}, expected "
                                      f"{step.get('expect_rc', 0)}: {p.stdout}{p.stderr}")
                elif "links_match" in step:
                    self.links_match(self.saved[step["links_match"]])
                elif "clean" in step:
                    self.clean()
                else:
                    raise Failure(f"unknown step {step}")
            except Failure as e:
                print(f"FAIL: {os.path.basename(self.path)} step {n}: {e}")
                return 1
        print(f"ok: {os.path.basename(self.path)}: {self.case.get('description', '')}")
        return 0


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: harness.py CASE.json")
    sandbox()
    if not os.access(os.path.join(REFERENCE_DIR, "host-local"), os.X_OK):
        skip("needs the reference plugins (Debian package containernetworking-plugins)")
    prepare()
    sys.exit(Case(sys.argv[1]).run())


if __name__ == "__main__":
    main()
