#!/usr/bin/env python3
"""Crash rounds beyond checkout: carts, refunds, imports and reindex.

A real `shopbox serve` takes a mixed load — guest carts changing lines,
checkouts (Idempotency-Key), admin refunds of paid orders (amount and
restocking line refunds), all-or-nothing product imports, search reindexes —
and is kill -9'ed at a random moment (ROUNDS rounds). After every restart:

  * `shopbox check` passes (stock, reservations, orders, refunds, payments);
  * orders: every acknowledged order exists, no Idempotency-Key made two
    orders, every key that got an answer replays it (same status and body);
  * refunds: every acknowledged refund exists and succeeded (recovery
    finishes the interrupted ones; `check` compares them with the charges);
  * carts: each guest cart is exactly its last acknowledged state, or that
    state with the one change in flight at the kill applied (never a mix,
    never an older state);
  * imports: all or nothing: an acknowledged import's products all exist;
    an interrupted one left all of its products or none;
  * search: after restart a product of every acknowledged import is found
    by its unique word (the index reconciles with SQLite even when a
    reindex was killed half-way), and the index directory is intact.

Usage: crash_mixed.py <shopbox binary> [rounds]
"""
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crashlib import Shop  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
PRODUCTS = 5
INITIAL = 100000
CART_CLIENTS = 4
IMPORT_SIZE = 12
TTL = 4

shop = Shop(BIN, "shopbox-crash-mixed-", latency_ms=2, ttl=TTL)
data, env = shop.data, shop.env
failures = []


def log(*a):
    print("[crash-mixed]", *a, flush=True)


def fail(msg):
    failures.append(msg)
    log("FAIL:", msg)


start, kill9, request = shop.start, shop.kill9, shop.request


def db():
    return sqlite3.connect(os.path.join(data, "shop.db"), timeout=30)


# ---- setup ----
subprocess.run([BIN, "init", "--data-dir", data], env=env, check=True, capture_output=True)
admin = subprocess.run([BIN, "token", "create", "--admin", "--data-dir", data], env=env, check=True,
                       capture_output=True, text=True).stdout.strip()
A = {"Authorization": "Bearer " + admin}
start()
products = []
for i in range(PRODUCTS):
    st, text, _ = request("POST", "/api/v1/admin/products",
                          {"name": f"Mixed product {i}", "price": 20 + i * 5, "stock": INITIAL}, A)
    assert st == 201, text
    products.append(json.loads(text)["product_id"])
st, text, _ = request("POST", "/api/v1/auth/register",
                      {"email": "mixed@example.com", "password": "crash-test-password-1",
                       "first_name": "Mixed", "last_name": "Crash"})
assert st == 201, text
user = {"Authorization": "Bearer " + json.loads(text)["token"]}
carts = []  # guest tokens
for i in range(CART_CLIENTS):
    st, text, h = request("POST", "/api/v1/cart/items", {"product_id": products[0], "quantity": 1})
    assert st in (200, 201), text
    carts.append(h["x-cart-token"])
log(f"data dir {data}")

lock = threading.Lock()
stop = threading.Event()
# carts: token -> {"acked": {pid: qty}, "pending": op or None}
cart_state = {t: {"acked": {products[0]: 1}, "pending": None} for t in carts}
orders_acked = {}      # key -> (body, status, text)
orders_unanswered = {}  # key -> body
paid_orders = []       # order ids from 201 answers
refunds_acked = {}     # refund_id -> order_id
imports = {}           # batch name -> {"acked": bool, "skus": [...], "word": str}
seq = [0]


def next_seq():
    with lock:
        seq[0] += 1
        return seq[0]


def apply_cart(state, op):
    s = dict(state)
    kind, pid, qty = op
    if kind == "set":
        s[pid] = qty
    elif kind == "del":
        s.pop(pid, None)
    return s


def cart_client(token, rnd):
    h = {"X-Cart-Token": token}
    while not stop.is_set():
        pid = rnd.choice(products)
        if rnd.random() < 0.7:
            op = ("set", pid, rnd.randint(1, 5))
            call = lambda: request("POST", "/api/v1/cart/items", {"product_id": pid, "quantity": op[2]}, h, timeout=10)
        else:
            op = ("del", pid, 0)
            call = lambda: request("DELETE", f"/api/v1/cart/items/{pid}", None, h, timeout=10)
        with lock:
            cart_state[token]["pending"] = op
        try:
            st, text, _ = call()
        except Exception:
            return  # the server died with `op` in flight: pending stays
        with lock:
            if st in (200, 201, 204):
                cart_state[token]["acked"] = apply_cart(cart_state[token]["acked"], op)
            elif st == 404 and op[0] == "del":
                pass  # the line was not there: no change
            elif st == 503:
                pass
            else:
                fail(f"cart {op}: unexpected {st} {text[:160]}")
            cart_state[token]["pending"] = None


def order_body(rnd):
    return {"items": [{"product_id": p, "quantity": rnd.randint(1, 2)} for p in rnd.sample(products, rnd.randint(1, 2))],
            "shipping_address": {"name": "C", "street": "1 Main", "city": "X", "zip": "1", "country": "US"},
            "payment_method": {"type": "card", "card_number": "4242424242424242", "exp_month": 12,
                               "exp_year": 2099, "cvc": "123"}}


def checkout_client(rnd):
    while not stop.is_set():
        key = f"mixed-{rnd.getrandbits(48):x}"
        body = order_body(rnd)
        try:
            st, text, _ = request("POST", "/api/v1/orders", body, dict(user, **{"Idempotency-Key": key}), timeout=10)
        except Exception:
            with lock:
                orders_unanswered[key] = body
            return
        with lock:
            if st == 201:
                orders_acked[key] = (body, st, text)
                paid_orders.append(json.loads(text)["order_id"])
            elif st in (402, 409):
                orders_acked[key] = (body, st, text)
            elif st != 503:
                fail(f"checkout: unexpected {st} {text[:160]}")


def refund_client(rnd):
    while not stop.is_set():
        with lock:
            candidates = list(paid_orders)
        if not candidates:
            time.sleep(0.05)
            continue
        oid = rnd.choice(candidates)
        if rnd.random() < 0.5:
            body = {"amount": 0.5, "reason": "crash test"}
        else:
            try:
                st, text, _ = request("GET", f"/api/v1/admin/orders/{oid}", None, A, timeout=10)
            except Exception:
                return  # the server was killed under us: this round's client is done
            if st != 200:
                continue
            item = json.loads(text)["items"][0]
            body = {"lines": [{"product_id": item["product_id"], "quantity": 1}], "restock": True}
        try:
            st, text, _ = request("POST", f"/api/v1/admin/orders/{oid}/refunds", body, A, timeout=10)
        except Exception:
            return
        if st == 201:
            with lock:
                refunds_acked[json.loads(text)["refund_id"]] = oid
        elif st in (409, 422, 400):
            with lock:
                if oid in paid_orders and st == 409:
                    paid_orders.remove(oid)  # fully refunded (or nothing left to refund)
        elif st != 503:
            fail(f"refund {oid} {body}: unexpected {st} {text[:160]}")


def import_client(rnd):
    while not stop.is_set():
        n = next_seq()
        name = f"batch{n}"
        word = f"zq{n}x{rnd.getrandbits(20):x}"
        skus = [f"IMP-{n}-{i}" for i in range(IMPORT_SIZE)]
        items = [{"name": f"Imported {word} item {i}", "price": 3 + i, "sku": s, "stock": 50,
                  "category": "Imports/Crash"} for i, s in enumerate(skus)]
        with lock:
            imports[name] = {"acked": False, "skus": skus, "word": word}
        try:
            st, text, _ = request("POST", "/api/v1/admin/import?format=json", None, A, timeout=20,
                                  raw=json.dumps(items))
        except Exception:
            return
        if st == 200:
            with lock:
                imports[name]["acked"] = True
        elif st != 503:
            fail(f"import {name}: unexpected {st} {text[:160]}")


def reindex_client(rnd):
    while not stop.is_set():
        time.sleep(rnd.uniform(0.05, 0.4))
        try:
            st, text, _ = request("POST", "/api/v1/admin/search/reindex", {}, A, timeout=30)
        except Exception:
            return
        if st not in (200, 409, 503):
            fail(f"reindex: unexpected {st} {text[:160]}")


def verify(round_no):
    chk = subprocess.run([BIN, "check", "--data-dir", data], env=env, capture_output=True, text=True)
    if chk.returncode != 0:
        fail(f"round {round_no}: shopbox check failed:\n{chk.stdout}{chk.stderr}")
    c = db()
    q = lambda sql, *a: c.execute(sql, a).fetchall()
    # orders: acknowledged ones exist, no key made two
    dup = q("SELECT idempotency_key, count(*) FROM orders GROUP BY idempotency_key HAVING count(*) > 1")
    if dup:
        fail(f"round {round_no}: idempotency keys with several orders: {dup[:3]}")
    with lock:
        acked_orders = [json.loads(t)["order_id"] for (_, st, t) in orders_acked.values() if st == 201]
        refunds = dict(refunds_acked)
        batches = {k: dict(v) for k, v in imports.items()}
        carts_now = {t: (dict(s["acked"]), s["pending"]) for t, s in cart_state.items()}
    existing = {r[0] for r in q("SELECT order_id FROM orders")}
    lost = [o for o in acked_orders if o not in existing]
    if lost:
        fail(f"round {round_no}: {len(lost)} acknowledged orders lost: {lost[:3]}")
    # refunds: acknowledged ones exist and succeeded; none left pending after recovery
    for rid, oid in refunds.items():
        row = q("SELECT status, order_id FROM refunds WHERE refund_id = ?", rid)
        if not row or row[0][0] != "succeeded" or row[0][1] != oid:
            fail(f"round {round_no}: acknowledged refund {rid} of {oid} is {row}")
    pending = q("SELECT count(*) FROM refunds WHERE status = 'pending'")[0][0]
    if pending:
        fail(f"round {round_no}: {pending} refunds left pending after recovery")
    # imports: all or nothing
    for name, b in batches.items():
        marks = ",".join("?" * len(b["skus"]))
        n = q(f"SELECT count(*) FROM products WHERE sku IN ({marks})", *b["skus"])[0][0]
        if b["acked"] and n != len(b["skus"]):
            fail(f"round {round_no}: acknowledged import {name} has {n}/{len(b['skus'])} products")
        elif n not in (0, len(b["skus"])):
            fail(f"round {round_no}: interrupted import {name} left {n}/{len(b['skus'])} products")
        b["present"] = n == len(b["skus"])
    c.close()
    # carts: last acknowledged state, or that plus the change in flight
    for token, (acked, pend) in carts_now.items():
        st, text, _ = request("GET", "/api/v1/cart", None, {"X-Cart-Token": token})
        if st != 200:
            fail(f"round {round_no}: cart {token[:8]}: GET {st} {text[:120]}")
            continue
        lines = {i["product_id"]: i["quantity"] for i in json.loads(text)["items"]}
        allowed = [acked] + ([apply_cart(acked, pend)] if pend else [])
        if lines not in allowed:
            fail(f"round {round_no}: cart {token[:8]} is {lines}, expected one of {allowed}")
        else:
            with lock:
                cart_state[token]["acked"] = lines
                cart_state[token]["pending"] = None
    # acknowledged orders replay their answer
    with lock:
        items = list(orders_acked.items())[-40:]
    for key, (body, st0, text0) in items:
        st, text, h = request("POST", "/api/v1/orders", body, dict(user, **{"Idempotency-Key": key}))
        if st != st0 or json.loads(text) != json.loads(text0) or h.get("idempotent-replayed") != "true":
            fail(f"round {round_no}: key {key} replayed {st} (was {st0})")
            break
    with lock:
        unanswered = list(orders_unanswered.items())
        orders_unanswered.clear()
    for key, body in unanswered:
        st, text, _ = request("POST", "/api/v1/orders", body, dict(user, **{"Idempotency-Key": key}))
        if st in (201, 402, 409):
            with lock:
                orders_acked[key] = (body, st, text)
                if st == 201:
                    paid_orders.append(json.loads(text)["order_id"])
        elif st != 503:
            fail(f"round {round_no}: retry of unanswered key {key}: {st} {text[:120]}")
    # search: the index follows the catalog after a crash (also mid-reindex)
    cur = os.path.join(data, "search", "current")
    if not os.path.isdir(cur):
        fail(f"round {round_no}: search/current is not a directory")
    present = [b for b in batches.values() if b.get("present")]
    for b in present[-3:]:
        deadline = time.time() + 15
        found = 0
        while time.time() < deadline:
            st, text, _ = request("GET", f"/api/v1/search?q={b['word']}&size=50")
            if st == 200:
                found = json.loads(text)["total"]
                if found == len(b["skus"]):
                    break
            time.sleep(0.2)
        if found != len(b["skus"]):
            fail(f"round {round_no}: search finds {found}/{len(b['skus'])} products of import '{b['word']}'")
    log(f"round {round_no}: ok={not failures} orders={len(existing)} refunds={len(refunds)} "
        f"imports={sum(1 for b in batches.values() if b.get('present'))}/{len(batches)}")


t_start = time.time()
survived = 0
for rnd_no in range(1, ROUNDS + 1):
    stop.clear()
    rnd = random.Random(rnd_no * 104729 + int(time.time()))
    threads = [threading.Thread(target=cart_client, args=(t, random.Random(rnd.random()))) for t in carts]
    threads += [threading.Thread(target=checkout_client, args=(random.Random(rnd.random()),)) for _ in range(2)]
    threads += [threading.Thread(target=refund_client, args=(random.Random(rnd.random()),))]
    threads += [threading.Thread(target=import_client, args=(random.Random(rnd.random()),))]
    threads += [threading.Thread(target=reindex_client, args=(random.Random(rnd.random()),))]
    for t in threads:
        t.start()
    time.sleep(rnd.uniform(0.4, 2.0))
    kill9()
    stop.set()
    for t in threads:
        t.join()
    start()
    verify(rnd_no)
    if not failures:
        survived += 1
    if time.time() - t_start > 120:
        log("time budget reached")
        break

kill9()
log(f"{survived} mixed crash rounds survived, {len(orders_acked)} order keys, {len(refunds_acked)} refunds, "
    f"{sum(1 for b in imports.values() if b['acked'])} imports acknowledged, {len(failures)} failures, "
    f"{time.time() - t_start:.0f}s")
if failures:
    log("data dir kept for inspection:", data)
    sys.exit(1)
shutil.rmtree(data, ignore_errors=True)
