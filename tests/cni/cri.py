#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kubelet's side of a pod's network, for tests: the CRI calls a node makes to containerd
(runtime.v1), over gRPC, with the few protobuf messages they need encoded by hand (Debian 12
has grpcio but neither crictl nor the CRI's generated code). And an OCI image archive to run
pods from, built from busybox, since the tests reach no registry.

  cri.py image OUT.tar NAME CMD...      an OCI archive of busybox whose entrypoint is CMD
  cri.py run SOCKET NAME UID [HOSTPORT:PORT...]
                                        RunPodSandbox; prints the sandbox id
  cri.py status SOCKET ID               the sandbox's state and IP, as JSON
  cri.py stop SOCKET ID, cri.py remove SOCKET ID
  cri.py ready SOCKET                   the runtime's conditions (NetworkReady), as JSON
"""
import hashlib
import io
import json
import os
import sys
import tarfile

SERVICE = "/runtime.v1.RuntimeService/"


# --- protobuf, the little of it needed -----------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, value):
    """A field: int (varint), bytes/str (length-delimited, messages too)."""
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value


def decode(buf):
    """{field number: [values]}: ints for varints, bytes for length-delimited."""
    out, i = {}, 0

    def read_varint():
        nonlocal i
        n, shift = 0, 0
        while True:
            b = buf[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n

    while i < len(buf):
        key = read_varint()
        num, wire = key >> 3, key & 7
        if wire == 0:
            val = read_varint()
        elif wire == 2:
            n = read_varint()
            val, i = buf[i:i + n], i + n
        elif wire == 1:
            val, i = buf[i:i + 8], i + 8
        elif wire == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.setdefault(num, []).append(val)
    return out


def call(socket, method, request):
    import grpc  # only the commands that talk to containerd need it
    with grpc.insecure_channel("unix://" + socket) as ch:
        rpc = ch.unary_unary(SERVICE + method, request_serializer=None,
                             response_deserializer=None)
        return rpc(request, timeout=60)


# --- the calls ------------------------------------------------------------------------------

def pod_config(name, uid, ports):
    # PodSandboxMetadata: name 1, uid 2, namespace 3, attempt 4
    meta = field(1, name) + field(2, uid) + field(3, "default") + field(4, 0)
    cfg = field(1, meta) + field(2, name)  # metadata, hostname
    for spec in ports:  # PortMapping: protocol 1 (TCP 0), container_port 2, host_port 3
        host, cont = spec.split(":")
        cfg += field(5, field(1, 0) + field(2, int(cont)) + field(3, int(host)))
    # LinuxPodSandboxConfig 8: cgroup_parent 1 (containerd's own, with cgroups off)
    return cfg


def run(socket, name, uid, ports):
    reply = decode(call(socket, "RunPodSandbox", field(1, pod_config(name, uid, ports))))
    print(reply[1][0].decode())


def status(socket, sid):
    reply = decode(call(socket, "PodSandboxStatus", field(1, sid)))
    st = decode(reply[1][0])  # PodSandboxStatus: id 1, metadata 2, state 3, network 5
    net = decode(st.get(5, [b""])[0])
    print(json.dumps({"id": st[1][0].decode(), "state": st.get(3, [0])[0],
                      "ip": net.get(1, [b""])[0].decode()}))


def simple(socket, method, sid):
    call(socket, method, field(1, sid))


def ready(socket):
    reply = decode(call(socket, "Status", b""))
    conds = decode(reply[1][0]).get(1, [])  # RuntimeStatus: conditions 1
    out = {}
    for c in conds:  # RuntimeCondition: type 1, status 2, reason 3, message 4
        d = decode(c)
        out[d[1][0].decode()] = {"status": bool(d.get(2, [0])[0]),
                                 "message": d.get(4, [b""])[0].decode()}
    print(json.dumps(out))


# --- an OCI image archive -------------------------------------------------------------------

def blob(tar, data):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{digest}")
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return {"digest": "sha256:" + digest, "size": len(data)}


def image(out, name, cmd):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        for d in ("bin", "tmp", "proc", "sys", "dev", "etc"):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            t.addfile(info)
        t.add("/bin/busybox", "bin/busybox")
        for tool in ("sh", "sleep", "nc", "ip"):
            info = tarfile.TarInfo("bin/" + tool)
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(info)
    layer = layer.getvalue()
    with tarfile.open(out, "w") as tar:
        lay = blob(tar, layer)
        config = {"architecture": "amd64", "os": "linux",
                  "config": {"Entrypoint": cmd, "Env": ["PATH=/bin"]},
                  "rootfs": {"type": "layers", "diff_ids": [lay["digest"]]}}
        cfg = blob(tar, json.dumps(config).encode())
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
                    "layers": [dict(lay, mediaType="application/vnd.oci.image.layer.v1.tar")]}
        man = blob(tar, json.dumps(manifest).encode())
        index = {"schemaVersion": 2, "manifests": [dict(
            man, mediaType="application/vnd.oci.image.manifest.v1+json",
            annotations={"io.containerd.image.name": name,
                         "org.opencontainers.image.ref.name": name.split(":")[-1]})]}
        for fname, data in (("index.json", json.dumps(index).encode()),
                            ("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')):
            info = tarfile.TarInfo(fname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "image" and len(argv) >= 5:
        image(argv[2], argv[3], argv[4:])
    elif cmd == "run" and len(argv) >= 5:
        run(argv[2], argv[3], argv[4], argv[5:])
    elif cmd == "status" and len(argv) == 4:
        status(argv[2], argv[3])
    elif cmd in ("stop", "remove") and len(argv) == 4:
        simple(argv[2], "StopPodSandbox" if cmd == "stop" else "RemovePodSandbox", argv[3])
    elif cmd == "ready" and len(argv) == 3:
        ready(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
