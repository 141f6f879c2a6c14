#!/usr/bin/env python3
"""Disk full and read-only data dir.

The data dir lives on a small filesystem of its own (MOUNT, prepared by
tests/suites/diskfull.sh: a loopback ext4 image, or a size-limited tmpfs).

  1. A shop with products, a customer, a guest cart and an order.
  2. The filesystem is filled (a filler file takes every free block).
     Every write then either succeeds (SQLite may still have room in its
     WAL) or is refused with a clear JSON error: 507 storage_full (never a
     500, never a hang, never a crash); at least one of each kind of write
     (catalog/SQLite, cart/LMDB, checkout) must be refused. Reads keep
     working (/healthz, product, search, cart, orders). No order exists
     without its charge and no charge without its order.
  3. `shopbox check` is clean while full.
  4. Space returns (the filler is removed): writes work again without a
     restart; a restart finds everything acknowledged; check is clean.
  5. Read-only data dir at start (the filesystem remounted ro): `shopbox
     serve` exits non-zero with a clear message, within seconds.
  6. Read-only while serving, when the kernel allows the remount (it
     refuses while files are open for writing; then this part is skipped
     with a message): writes get a clear error, reads keep working.

Usage: diskfull.py <shopbox binary> <mount point> <kind: ext4|tmpfs>
"""
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

BIN = os.path.abspath(sys.argv[1])
MOUNT = sys.argv[2]
KIND = sys.argv[3]
data = os.path.join(MOUNT, "data")
env = dict(os.environ, SHOPBOX_DATA_DIR=data, SHOPBOX_RATE_LIMIT_ENABLED="0",
           SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N="10", SHOPBOX_STORAGE_LMDB_MAP_SIZE_MB="64")
failures = []
server = None
port = None


def log(*a):
    print("[diskfull]", *a, flush=True)


def fail(msg):
    failures.append(msg)
    log("FAIL:", msg)


def start(expect_ok=True):
    global server, port
    server = subprocess.Popen([BIN, "serve", "--data-dir", data, "--port", "0", "--listen", "127.0.0.1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.time() + 20
    while time.time() < deadline:
        line = server.stderr.readline()
        if not line:
            if server.poll() is not None:
                return False, "".join(lines), server.returncode
            continue
        lines.append(line)
        if "serving on http://" in line:
            port = int(line.split("serving on http://")[1].split()[0].rsplit(":", 1)[1])
            threading.Thread(target=lambda p=server: [None for _ in p.stderr], daemon=True).start()
            return True, "".join(lines), None
    server.kill()
    server.wait()
    return False, "".join(lines) + "\n(no answer within 20 s)", "hang"


def stop():
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        fail("SIGTERM: the server did not stop within 20 s")


def request(method, path, body=None, headers=None, timeout=15):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = conn.getresponse()
    text = r.read().decode(errors="replace")
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    try:
        j = json.loads(text)
    except ValueError:
        j = None
    return r.status, j, text, hdrs


def check_shop(what):
    chk = subprocess.run([BIN, "check", "--data-dir", data], env=env, capture_output=True, text=True, timeout=60)
    if chk.returncode != 0:
        fail(f"{what}: shopbox check failed:\n{chk.stdout}{chk.stderr}")
    else:
        log(f"{what}: shopbox check clean")


def refused_clearly(what, st, j, text, allowed_ok):
    """True when refused with a clear storage error; fails on anything unclear."""
    if st in allowed_ok:
        return False
    if st == 507 and j and j.get("error", {}).get("code") == "storage_full" and j["error"].get("message"):
        return True
    fail(f"{what}: expected {allowed_ok} or 507 storage_full, got {st}: {text[:200]}")
    return False


def free_bytes():
    s = os.statvfs(MOUNT)
    return s.f_bavail * s.f_frsize


def fill():
    """Takes every free block: a filler file, then tiny files for the last ones."""
    path = os.path.join(MOUNT, "filler")
    with open(path, "wb", buffering=0) as f:
        chunk = b"\0" * (1 << 20)
        while True:
            try:
                f.write(chunk)
            except OSError:
                break
        for size in (65536, 4096, 512, 1):
            while True:
                try:
                    f.write(b"\0" * size)
                except OSError:
                    break
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    os.close(fd)
    n = 0
    while True:  # inodes/blocks for new files too
        try:
            with open(os.path.join(MOUNT, f"filler-{n}"), "wb", buffering=0) as f:
                f.write(b"\0" * 4096)
            n += 1
        except OSError:
            break
        if n > 10000:
            break
    log(f"filesystem filled: {free_bytes()} bytes free")


def unfill():
    for name in os.listdir(MOUNT):
        if name.startswith("filler"):
            os.unlink(os.path.join(MOUNT, name))
    log(f"space returned: {free_bytes() // 1024} KiB free")


def order_body(pid, card="4242424242424242"):
    return {"items": [{"product_id": pid, "quantity": 1}],
            "shipping_address": {"name": "D", "street": "1 Main", "city": "X", "zip": "1", "country": "US"},
            "payment_method": {"type": "card", "card_number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"}}


def money_consistent(what):
    c = sqlite3.connect(os.path.join(data, "shop.db"), timeout=30)
    try:
        n = c.execute("SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM payment_transactions t WHERE "
                      "t.order_id = o.order_id AND t.kind = 'charge' AND t.status = 'completed') <> 1").fetchone()[0]
        if n:
            fail(f"{what}: {n} orders without exactly one completed charge")
        n = c.execute("SELECT count(*) FROM gw_charges g WHERE g.captured > g.refunded AND NOT EXISTS (SELECT 1 FROM "
                      "payment_transactions t WHERE t.kind = 'charge' AND t.provider_transaction_id = g.charge_id)"
                      ).fetchone()[0]
        if n:
            fail(f"{what}: {n} captured charges without an order")
    finally:
        c.close()


def _kill_server_at_exit():
    if server is not None and server.poll() is None:
        server.kill()
        server.wait()


import atexit
atexit.register(_kill_server_at_exit)

# ---- 1. a shop on the small filesystem ----
subprocess.run([BIN, "init", "--data-dir", data], env=env, check=True, capture_output=True)
admin = subprocess.run([BIN, "token", "create", "--admin", "--data-dir", data], env=env, check=True,
                       capture_output=True, text=True).stdout.strip()
A = {"Authorization": "Bearer " + admin}
ok, out, _ = start()
if not ok:
    raise SystemExit("server did not start:\n" + out)
pids = []
for i in range(3):
    st, j, text, _ = request("POST", "/api/v1/admin/products",
                             {"name": f"Disk product {i} widget", "price": 12.5, "stock": 1000}, A)
    assert st == 201, text
    pids.append(j["product_id"])
st, j, text, _ = request("POST", "/api/v1/auth/register", {"email": "disk@example.com", "password": "disk-password-1",
                                                           "first_name": "D", "last_name": "F"})
assert st == 201, text
U = {"Authorization": "Bearer " + j["token"]}
st, j, text, h = request("POST", "/api/v1/cart/items", {"product_id": pids[0], "quantity": 2})
assert st in (200, 201), text
cart = {"X-Cart-Token": h["x-cart-token"]}
st, j, text, _ = request("POST", "/api/v1/orders", order_body(pids[0]), dict(U, **{"Idempotency-Key": "before-full"}))
assert st == 201, text
acked_orders = [j["order_id"]]
acked_products = list(pids)
log(f"shop ready on {KIND} ({free_bytes() // 1024} KiB free)")

# ---- 2. full ----
fill()
big = "x" * 19000
refused = {"catalog": 0, "cart": 0, "checkout": 0}
for i in range(40):
    if all(refused.values()) and i >= 12:
        break
    st, j, text, _ = request("POST", "/api/v1/admin/products",
                             {"name": f"Full product {i}", "price": 3, "stock": 5, "description": big}, A)
    if st == 201:
        acked_products.append(j["product_id"])
    elif refused_clearly("create product while full", st, j, text, (201,)):
        refused["catalog"] += 1
    st, j, text, _ = request("POST", "/api/v1/cart/items", {"product_id": pids[i % 3], "quantity": 1 + i % 4}, cart)
    if refused_clearly("cart change while full", st, j, text, (200, 201)):
        refused["cart"] += 1
    st, j, text, _ = request("POST", "/api/v1/orders", order_body(pids[1]), dict(U, **{"Idempotency-Key": f"full-{i}"}))
    if st == 201:
        acked_orders.append(j["order_id"])
    elif refused_clearly("checkout while full", st, j, text, (201,)):
        refused["checkout"] += 1
    # new guests' carts: new LMDB records, until LMDB needs a page the disk lacks
    for _ in range(25):
        st, j, text, _ = request("POST", "/api/v1/cart/items", {"product_id": pids[2], "quantity": 1})
        if refused_clearly("new cart while full", st, j, text, (200, 201)):
            refused["cart"] += 1
            break
log(f"refused while full: {refused}")
for k, n in refused.items():
    if n == 0:
        fail(f"no {k} write was refused on a full disk (is the filesystem really full? {free_bytes()} bytes free)")
for path in ("/healthz", f"/api/v1/products/{pids[0]}", "/api/v1/products?size=5", "/api/v1/search?q=widget",
             "/api/v1/categories"):
    st, j, text, _ = request("GET", path)
    if st != 200:
        fail(f"read while full: GET {path} -> {st} {text[:160]}")
st, j, text, _ = request("GET", "/api/v1/cart", None, cart)
if st != 200:
    fail(f"read while full: GET cart -> {st} {text[:160]}")
st, j, text, _ = request("GET", "/api/v1/orders", None, U)
if st != 200:
    fail(f"read while full: GET orders -> {st} {text[:160]}")
if server.poll() is not None:
    fail(f"the server died on a full disk (exit {server.returncode})")

# ---- 3. consistent while full ----
check_shop("while full")
money_consistent("while full")

# ---- 4. space returns ----
unfill()
st, j, text, _ = request("POST", "/api/v1/admin/products", {"name": "After full", "price": 4, "stock": 3}, A)
if st != 201:
    fail(f"after space returned: create product -> {st} {text[:160]}")
else:
    acked_products.append(j["product_id"])
st, j, text, _ = request("POST", "/api/v1/cart/items", {"product_id": pids[1], "quantity": 3}, cart)
if st not in (200, 201):
    fail(f"after space returned: cart change -> {st} {text[:160]}")
st, j, text, _ = request("POST", "/api/v1/orders", order_body(pids[2]), dict(U, **{"Idempotency-Key": "after-full"}))
if st != 201:
    fail(f"after space returned: checkout -> {st} {text[:160]}")
else:
    acked_orders.append(j["order_id"])
stop()
ok, out, _ = start()
if not ok:
    fail("restart after the disk was full: " + out)
else:
    for p in acked_products:
        st, j, text, _ = request("GET", f"/api/v1/products/{p}")
        if st != 200:
            fail(f"after restart: acknowledged product {p} -> {st}")
    st, j, text, _ = request("GET", "/api/v1/orders?size=100", None, U)
    have = {o["order_id"] for o in (j or {}).get("orders", [])}
    for o in acked_orders:
        if o not in have:
            fail(f"after restart: acknowledged order {o} is missing")
    stop()
check_shop("after space returned and a restart")
money_consistent("after restart")

# ---- 5. read-only at start ----
r = subprocess.run(["mount", "-o", "remount,ro", MOUNT], capture_output=True, text=True)
if r.returncode != 0:
    log(f"SKIP read-only at start: cannot remount read-only ({r.stderr.strip()})")
else:
    t0 = time.time()
    ok, out, rc = start()
    if ok:
        fail("serve started on a read-only data dir")
        stop()
    elif rc == "hang":
        fail("serve hung on a read-only data dir:\n" + out)
    elif rc == 0:
        fail("serve on a read-only data dir exited 0")
    elif "read-only" not in out.lower() and "readonly" not in out.lower():
        fail(f"serve on a read-only data dir: the message does not say read-only:\n{out}")
    else:
        log(f"read-only at start: exit {rc} after {time.time() - t0:.1f}s: {out.strip().splitlines()[-1]}")
    subprocess.run(["mount", "-o", "remount,rw", MOUNT], check=True)

# ---- 6. read-only while serving ----
ok, out, _ = start()
if not ok:
    fail("start after the read-only test: " + out)
else:
    r = subprocess.run(["mount", "-o", "remount,ro", MOUNT], capture_output=True, text=True)
    if r.returncode != 0:
        log(f"SKIP read-only while serving: the kernel refuses the remount while the shop has files open "
            f"for writing ({r.stderr.strip()})")
    else:
        st, j, text, _ = request("POST", "/api/v1/admin/products", {"name": "On ro", "price": 4, "stock": 3}, A)
        if st == 201 or not (j and "error" in j) or st == 500:
            fail(f"write on a read-only data dir: {st} {text[:160]}")
        st, j, text, _ = request("GET", f"/api/v1/products/{pids[0]}")
        if st != 200:
            fail(f"read on a read-only data dir: {st}")
        subprocess.run(["mount", "-o", "remount,rw", MOUNT], check=True)
    stop()

if failures:
    log(f"{len(failures)} failures")
    sys.exit(1)
log("disk full and read-only: clear errors, reads kept working, no corruption, recovered")
