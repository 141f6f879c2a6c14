#!/usr/bin/env python3
"""Crash test for the checkout saga.

Runs concurrent checkouts against a real `shopbox serve`, kill -9s the server
at random moments (ROUNDS rounds), restarts it (start-up recovery runs), and
after every restart checks:
  * `shopbox check` passes (stock, reservations, orders, payments invariants);
  * direct SQLite queries: no order without exactly one completed charge, no
    captured gateway charge without an order unless refunded, no
    idempotency key left 'processing', no checkout step left unfinished;
  * stock: for every product, total == initial - units sold (orders);
  * discount uses: a code with CODE_LIMIT uses is never used more often, no
    use is left held by a checkout that is not in flight, and every kept
    use belongs to an order that was priced with the code;
  * every idempotency key that got an answer replays the same status and
    body (Idempotent-Replayed: true).
At the end (after the reservation TTL) no reservation is active: reserved == 0.

Usage: crash_checkout.py <shopbox binary> [rounds]
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
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 12
CLIENTS = 12
USERS = 12
PRODUCTS = 6
INITIAL = 3000
TTL = 4  # reservation TTL (s) so orphaned reservations expire within the test
CODE_LIMIT = 250  # uses of the CRASH code: runs out in the second or third round

shop = Shop(BIN, "shopbox-crash-", latency_ms=3, ttl=TTL)
data, env = shop.data, shop.env
failures = []


def log(*a):
    print("[crash]", *a, flush=True)


def fail(msg):
    failures.append(msg)
    log("FAIL:", msg)


start, kill9, request = shop.start, shop.kill9, shop.request


def db():
    c = sqlite3.connect(os.path.join(data, "shop.db"), timeout=30)
    return c


# ---- setup ----
subprocess.run([BIN, "init", "--data-dir", data], env=env, check=True, capture_output=True)
admin = subprocess.run([BIN, "token", "create", "--admin", "--data-dir", data], env=env, check=True,
                       capture_output=True, text=True).stdout.strip()
A = {"Authorization": "Bearer " + admin}
start()
products = []
for i in range(PRODUCTS):
    st, text, _ = request("POST", "/api/v1/admin/products",
                          {"name": f"Crash product {i}", "price": 5 + i * 7.25, "stock": INITIAL}, A)
    assert st == 201, text
    products.append(json.loads(text)["product_id"])
# A product with two variants: its sizes are bought like separate products
# (each line names a variant), and each must sell out exactly on its own.
st, text, _ = request("POST", "/api/v1/admin/products",
                      {"name": "Crash tee", "options": [{"name": "Size", "values": ["S", "M"]}],
                       "variants": [{"options": {"Size": "S"}, "price": 12, "stock": INITIAL},
                                    {"options": {"Size": "M"}, "price": 13, "stock": INITIAL}]}, A)
assert st == 201, text
products += [v["variant_id"] for v in json.loads(text)["variants"]]  # stock ids: variants (a simple product's is its id)
st, text, _ = request("POST", "/api/v1/admin/discounts",
                      {"code": "CRASH", "name": "Crash 10 %", "type": "percentage", "percent_bp": 1000,
                       "usage_limit": CODE_LIMIT}, A)
assert st == 201, text
tokens = []
for i in range(USERS):
    st, text, _ = request("POST", "/api/v1/auth/register",
                          {"email": f"crash{i}@example.com", "password": "crash-test-password-1",
                           "first_name": "Crash", "last_name": str(i)})
    assert st == 201, text
    tokens.append(json.loads(text)["token"])
log(f"data dir {data}, {PRODUCTS} products and 2 variants of one more x {INITIAL}, {USERS} users")

CARDS = ["4242424242424242"] * 6 + ["5555555555554444", "4000000000000002", "4000000000009995"]
answered = {}   # (user index, key) -> (body, status, response text)
unanswered = {}  # (user index, key) -> body
lock = threading.Lock()
stop = threading.Event()


def client(n):
    rnd = random.Random(n * 7919 + int(time.time()))
    while not stop.is_set():
        u = rnd.randrange(USERS)
        key = f"crash-{n}-{rnd.getrandbits(48):x}"
        lines = rnd.sample(products, rnd.randint(1, 3))
        body = {"items": [{"variant_id": p, "quantity": rnd.randint(1, 3)} for p in lines],
                "shipping_address": {"name": "C", "street": "1 Main", "city": "X", "zip": "1", "country": "US"},
                "payment_method": {"type": "card", "card_number": rnd.choice(CARDS), "exp_month": 12,
                                   "exp_year": 2099, "cvc": "123"}}
        if rnd.random() < 0.15:
            body["payment_method"] = {"type": "wallet", "wallet": "test_wallet"}
        if rnd.random() < 0.3:
            body["discount_codes"] = ["CRASH"]
        try:
            st, text, _ = request("POST", "/api/v1/orders", body,
                                  {"Authorization": "Bearer " + tokens[u], "Idempotency-Key": key}, timeout=10)
            with lock:
                if st in (201, 402, 409):
                    answered[(u, key)] = (body, st, text)
                elif st == 503:
                    pass  # retryable: nothing kept
                else:
                    fail(f"unexpected status {st}: {text[:200]}")
        except Exception:
            with lock:
                unanswered[(u, key)] = body
            time.sleep(0.05)


def sold_per_product():
    c = db()
    rows = dict(c.execute("SELECT variant_id, sum(quantity) FROM order_items i JOIN orders o ON o.order_id = i.order_id "
                          "WHERE o.status <> 'cancelled' GROUP BY variant_id").fetchall())
    c.close()
    return rows


def verify(round_no, final=False):
    # shopbox check (invariants, incl. orders and payments)
    chk = subprocess.run([BIN, "check", "--data-dir", data], env=env, capture_output=True, text=True)
    if chk.returncode != 0:
        fail(f"round {round_no}: shopbox check failed:\n{chk.stdout}{chk.stderr}")
    c = db()
    q = lambda sql: c.execute(sql).fetchone()[0]
    n = q("SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM payment_transactions t WHERE t.order_id = o.order_id "
          "AND t.kind = 'charge' AND t.status = 'completed') <> 1")
    if n:
        fail(f"round {round_no}: {n} orders without exactly one completed charge")
    n = q("SELECT count(*) FROM gw_charges g WHERE g.captured > g.refunded AND NOT EXISTS (SELECT 1 FROM "
          "payment_transactions t WHERE t.kind = 'charge' AND t.provider_transaction_id = g.charge_id)")
    if n:
        fail(f"round {round_no}: {n} captured charges without an order (unrefunded)")
    n = q("SELECT count(*) FROM orders o JOIN gw_charges g ON g.charge_id = (SELECT provider_transaction_id FROM "
          "payment_transactions t WHERE t.order_id = o.order_id AND t.kind = 'charge') WHERE g.captured <> o.total_cents")
    if n:
        fail(f"round {round_no}: {n} orders whose captured amount differs from the total")
    n = q("SELECT count(*) FROM idempotency_keys WHERE status = 'processing'")
    if n:
        fail(f"round {round_no}: {n} idempotency keys left processing")
    n = q("SELECT count(*) FROM checkout_attempts WHERE step IN ('started','reserved','charged','ordered')")
    if n:
        fail(f"round {round_no}: {n} checkout attempts left unfinished")
    kept = q("SELECT count(*) FROM discount_redemptions WHERE state = 'kept'")
    held = q("SELECT count(*) FROM discount_redemptions WHERE state = 'held'")
    with_code = q("SELECT count(*) FROM orders WHERE pricing LIKE '%\"code\":\"CRASH\"%'")
    orphans = q("SELECT count(*) FROM discount_redemptions r WHERE r.state = 'kept' AND NOT EXISTS "
                "(SELECT 1 FROM orders o WHERE o.order_id = r.order_id)")
    if kept > CODE_LIMIT:
        fail(f"round {round_no}: the CRASH code was used {kept} times, its limit is {CODE_LIMIT}")
    if held:
        fail(f"round {round_no}: {held} discount uses left held after recovery")
    if kept != with_code or orphans:
        fail(f"round {round_no}: {kept} kept uses, {with_code} orders priced with the code, {orphans} without an order")
    orders = q("SELECT count(*) FROM orders")
    compensated = q("SELECT count(*) FROM checkout_attempts WHERE step = 'compensated'")
    c.close()
    sold = sold_per_product()
    for p in products:
        st, text, _ = request("GET", f"/api/v1/admin/inventory/{p}", None, A)
        lvl = json.loads(text)
        if lvl["total"] != INITIAL - sold.get(int(p), 0):
            fail(f"round {round_no}: product {p} total {lvl['total']} != {INITIAL} - sold {sold.get(int(p), 0)}")
        if final and lvl["reserved"] != 0:
            fail(f"final: product {p} still has {lvl['reserved']} reserved")
    # Every answered key replays its original answer.
    with lock:
        items = list(answered.items())
    bad = 0
    for (u, key), (body, st0, text0) in items:
        st, text, h = request("POST", "/api/v1/orders", body,
                              {"Authorization": "Bearer " + tokens[u], "Idempotency-Key": key})
        if st != st0 or json.loads(text) != json.loads(text0) or h.get("idempotent-replayed") != "true":
            bad += 1
            if bad < 4:
                fail(f"round {round_no}: key {key} replayed {st} (was {st0}) {text[:120]}")
    # Keys that never got an answer: a retry now gets one (fresh or stored).
    with lock:
        pending = list(unanswered.items())
        unanswered.clear()
    for (u, key), body in pending:
        st, text, _ = request("POST", "/api/v1/orders", body,
                              {"Authorization": "Bearer " + tokens[u], "Idempotency-Key": key})
        if st in (201, 402, 409):
            with lock:
                answered[(u, key)] = (body, st, text)
        elif st != 503:
            fail(f"round {round_no}: retry of unanswered key {key} gave {st}: {text[:160]}")
    log(f"round {round_no}: ok={not failures} orders={orders} code_uses={kept}/{CODE_LIMIT} compensated={compensated} "
        f"answered_keys={len(answered)} retried_unanswered={len(pending)}")


t_start = time.time()
survived = 0
for rnd_no in range(1, ROUNDS + 1):
    stop.clear()
    threads = [threading.Thread(target=client, args=(rnd_no * 100 + i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(random.uniform(0.3, 1.5))
    kill9()
    stop.set()
    for t in threads:
        t.join()
    start()  # recovery runs here
    verify(rnd_no)
    if not failures:
        survived += 1
    if time.time() - t_start > 150:
        log("time budget reached")
        break

# Final: once the TTL passed, a restart's sweep leaves nothing reserved.
time.sleep(TTL + 1)
kill9()
start()
verify("final", final=True)
kill9()
log(f"{survived} crash rounds survived, {len(answered)} idempotency keys replayed, "
    f"{len(failures)} failures, {time.time() - t_start:.0f}s")
if failures:
    log("data dir kept for inspection:", data)
    sys.exit(1)
shutil.rmtree(data, ignore_errors=True)
