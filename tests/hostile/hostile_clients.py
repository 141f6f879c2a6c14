#!/usr/bin/env python3
"""Slow and hostile clients on loopback must not take the shop down.

Starts `shopbox serve` (default worker pool) with one product, then attacks:
  1. slowloris: SLOW sockets that send a request's headers one byte at a
     time (a byte every ~1 s, never the final empty line) — more sockets
     than the worker pool has threads;
  2. oversized headers: requests with one 64 KiB header line, with 1000
     small headers, with 40 KiB of headers in total (must be refused with a
     4xx, never crash or hang);
  3. never-finished bodies: POSTs announcing Content-Length 100000 that
     send 10 bytes and stall;
  4. a flood of idle connections that never send anything.
During the attack, a normal client must get /healthz and the product GET
answered (each within a deadline) again and again; after the attackers go
away the shop still answers, and the server process never died.

Usage: hostile_clients.py <shopbox binary> [attack seconds]
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.path.abspath(sys.argv[1])
ATTACK_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 20
SLOW = 300        # slowloris sockets (the default pool has 64 threads)
IDLE = 200        # connections that never send a byte
STALLED = 50      # bodies that never finish
DEADLINE = 3.0    # a normal request must be answered within this many seconds

data = tempfile.mkdtemp(prefix="shopbox-hostile-")
env = dict(os.environ, SHOPBOX_DATA_DIR=data, SHOPBOX_RATE_LIMIT_ENABLED="0")
failures = []


def log(*a):
    print("[hostile]", *a, flush=True)


def fail(msg):
    failures.append(msg)
    log("FAIL:", msg)


subprocess.run([BIN, "init", "--data-dir", data], env=env, check=True, capture_output=True)
admin = subprocess.run([BIN, "token", "create", "--admin", "--data-dir", data], env=env, check=True,
                       capture_output=True, text=True).stdout.strip()
logf = open(os.path.join(data, "server.log"), "w")
server = subprocess.Popen([BIN, "serve", "--data-dir", data, "--port", "0", "--listen", "127.0.0.1"],
                          env=env, stdout=logf, stderr=subprocess.PIPE, text=True)
port = None
deadline = time.time() + 30
while time.time() < deadline:
    line = server.stderr.readline()
    if not line and server.poll() is not None:
        raise SystemExit("server exited at start")
    logf.write(line)
    if "serving on http://" in line:
        port = int(line.split("serving on http://")[1].split()[0].rsplit(":", 1)[1])
        break
if port is None:
    raise SystemExit("server did not start")
threading.Thread(target=lambda: [logf.write(l) for l in server.stderr], daemon=True).start()


def request(method, path, body=None, headers=None, timeout=DEADLINE):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    text = r.read().decode(errors="replace")
    conn.close()
    return r.status, text


st, text = request("POST", "/api/v1/admin/products", json.dumps({"name": "Sturdy", "price": 9.5, "stock": 5}),
                   {"Authorization": "Bearer " + admin, "Content-Type": "application/json"}, timeout=10)
assert st == 201, text
pid = json.loads(text)["product_id"]

stop = threading.Event()
open_socks = []
lock = threading.Lock()


def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    with lock:
        open_socks.append(s)
    return s


def slowloris(n):
    head = f"GET /api/v1/products/{pid} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-{n}: "
    try:
        s = connect()
        i = 0
        while not stop.is_set():
            s.send(head[i % len(head)].encode() if i < len(head) else b"a")
            i += 1
            stop.wait(1.0)
    except OSError:
        pass  # the server closing a slow connection is a fine answer


def idle():
    try:
        connect()
    except OSError:
        pass


def stalled_body():
    try:
        s = connect()
        s.send(b"POST /api/v1/cart/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: 100000\r\n\r\n{\"product_")
        stop.wait(ATTACK_SECONDS + 5)
    except OSError:
        pass


def raw_exchange(payload, timeout=10):
    """Sends payload on a fresh socket; returns the status line or '' when closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(payload)
    except OSError:
        pass  # the server may close before reading everything
    try:
        data = s.recv(4096)
    except OSError:
        data = b""
    s.close()
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def oversized():
    cases = {
        "one 64 KiB header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
        "1000 headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                        b"".join(b"X-H%d: v\r\n" % i for i in range(1000)) + b"\r\n",
        "40 KiB of headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                             b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 4000) for i in range(10)) + b"\r\n",
        "64 KiB URI": b"GET /api/v1/search?q=" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    }
    for name, payload in cases.items():
        status = raw_exchange(payload)
        code = int(status.split()[1]) if status.startswith("HTTP/1.1 ") else 0
        if code and not 400 <= code < 500:
            fail(f"oversized ({name}): answered {status!r}, expected a 4xx or a closed connection")
        log(f"oversized ({name}): {status or 'connection closed'}")


def normal_client(stats):
    while not stop.is_set():
        for path in ("/healthz", f"/api/v1/products/{pid}"):
            t0 = time.time()
            try:
                st, _ = request("GET", path)
                if st != 200:
                    stats["bad"] += 1
                    fail(f"normal client: {path} answered {st} during the attack")
                else:
                    stats["ok"] += 1
                    stats["worst"] = max(stats["worst"], time.time() - t0)
            except Exception as e:
                stats["bad"] += 1
                fail(f"normal client: {path} not answered within {DEADLINE}s during the attack ({e})")
        time.sleep(0.2)


log(f"attacking for {ATTACK_SECONDS:.0f}s: {SLOW} slowloris, {IDLE} idle, {STALLED} stalled bodies")
attackers = [threading.Thread(target=slowloris, args=(i,), daemon=True) for i in range(SLOW)]
attackers += [threading.Thread(target=idle, daemon=True) for _ in range(IDLE)]
attackers += [threading.Thread(target=stalled_body, daemon=True) for _ in range(STALLED)]
for t in attackers:
    t.start()
time.sleep(2)  # let every attacker connect and start dribbling
stats = {"ok": 0, "bad": 0, "worst": 0.0}
normal = threading.Thread(target=normal_client, args=(stats,))
normal.start()
oversized()
time.sleep(ATTACK_SECONDS)
stop.set()
normal.join()
log(f"during the attack: {stats['ok']} normal requests answered, {stats['bad']} failed, "
    f"slowest {stats['worst'] * 1000:.0f} ms")
if stats["ok"] == 0:
    fail("no normal request was answered during the attack")

with lock:
    for s in open_socks:
        try:
            s.close()
        except OSError:
            pass
# After the attack: answers again promptly, and the process never died.
time.sleep(1)
for i in range(20):
    try:
        st, _ = request("GET", f"/api/v1/products/{pid}")
        if st != 200:
            fail(f"after the attack: product GET answered {st}")
    except Exception as e:
        fail(f"after the attack: product GET not answered ({e})")
if server.poll() is not None:
    fail(f"the server died (exit {server.returncode})")
server.send_signal(signal.SIGTERM)
try:
    rc = server.wait(timeout=30)
    if rc != 0:
        fail(f"SIGTERM after the attack: exit code {rc}")
except subprocess.TimeoutExpired:
    server.kill()
    fail("SIGTERM after the attack: the server did not stop within 30 s")
if failures:
    log(f"{len(failures)} failures; data dir kept: {data}")
    sys.exit(1)
log("the shop kept answering normal clients during the attack and after it")
shutil.rmtree(data, ignore_errors=True)
