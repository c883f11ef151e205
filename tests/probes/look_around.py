# ruff: noqa
"""Reports what a submission can see and reach from inside the sandbox."""

import errno
import os
import socket
import sys


def _listing(folder, depth):
    """Every path under `folder` it can list, `depth` levels down."""
    found = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return found
    for name in names:
        path = os.path.join(folder, name)
        found.append(path)
        if depth > 1 and os.path.isdir(path) and not os.path.islink(path):
            found += _listing(path, depth - 1)
    return found


def probe(secret_paths, unix_sockets, abstract_socket, tcp_port):
    report = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups()}
    report["root"] = sorted(os.listdir("/"))
    try:
        report["etc"] = sorted(os.listdir("/etc"))
    except OSError:  # passable, not listable
        report["etc"] = []
    site = [p for p in sys.path if p.endswith("site-packages")]
    report["site_packages"] = sorted(os.listdir(site[0])) if site else []
    outside = [
        p
        for top in report["root"]
        if top not in ("usr", "proc", "dev", "sys") and not os.path.islink("/" + top)
        for p in _listing("/" + top, 6)
    ]
    shown = [
        p
        for p in outside
        if "site-packages/" not in p and "/lib/python3" not in p and "/bin/" not in p
    ]
    report["tree"] = shown[:400]
    report["tree_size"] = len(shown)
    report["read"] = []
    for path in secret_paths:
        try:
            with open(path, "rb") as stream:
                stream.read(1)
            report["read"].append(path)
        except OSError:
            pass
    report["connected"] = []
    for path in unix_sockets:
        with socket.socket(socket.AF_UNIX) as client:
            try:
                client.connect(path)
                report["connected"].append(path)
            except OSError:
                pass
    with socket.socket(socket.AF_UNIX) as client:
        try:
            client.connect("\0" + abstract_socket)
            report["connected"].append("@" + abstract_socket)
        except OSError:
            pass
    with socket.socket() as client:
        client.settimeout(2)
        try:
            client.connect(("127.0.0.1", tcp_port))
            report["connected"].append(f"127.0.0.1:{tcp_port}")
        except OSError:
            pass
    report["writable"] = []
    for folder in ["/", "/usr", "/etc", "/opt", *site]:
        try:
            with open(os.path.join(folder, "mlkata-probe"), "w") as stream:
                stream.write("x")
            report["writable"].append(folder)
        except OSError:
            pass
    report["imports"] = []
    for module in ("grader", "yaml", "pytest", "rich", "fsrs"):
        try:
            __import__(module)
            report["imports"].append(module)
        except ImportError:
            pass
    return report
