#!/usr/bin/env bash
# Flash sale: FLASH_BUYERS shoppers (default 1000) for FLASH_UNITS units
# (default 100) through HTTP: join, poll status, check out with the token.
# Prints join/status/checkout req/s and latency percentiles, and a sell-out
# row: time from the first join to the last unit sold, units sold, oversold.
#
# Runs its own `shopbox serve` on a fresh data directory (durable SQLite and
# LMDB commits) with the default flash rate limits on; only the sign-up
# limit per IP is lifted so the bench can create its shoppers. $1 (the demo
# server's URL) is not used. Env: SHOPBOX_BIN (default build/release/shopbox).
# bench-server: own
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
buyers="${FLASH_BUYERS:-1000}"
units="${FLASH_UNITS:-100}"

export SHOPBOX_RATE_LIMIT_LOGIN_PER_IP=off
export SHOPBOX_RATE_LIMIT_AUTH="off off off"
export SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N=4
bench_own_server 256
port="${BENCH_URL##*:}" admin="$BENCH_ADMIN"

python3 - "$port" "$admin" "$buyers" "$units" <<'PY'
import http.client, json, sys, threading, time, datetime

port, admin, buyers, units = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

reconnects = [0]
class Conn:
    def __init__(self): self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    def request(self, *a, **k): return self.c.request(*a, **k)
    def getresponse(self): return self.c.getresponse()
    def reset(self):
        self.c.close()
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        reconnects[0] += 1

def call(conn, method, path, body=None, token=None, retries=10):
    # A connection lost before an answer (listen backlog overflow, keep-alive
    # timeout) is retried on a new one: join and status are idempotent, and a
    # checkout retried with a used token answers 409 token_used.
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    for attempt in range(retries):
        t = time.perf_counter()
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            r = conn.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data else None), (time.perf_counter() - t) * 1000
        except (ConnectionError, http.client.HTTPException, OSError):
            conn.reset()
            time.sleep(0.1)
    raise RuntimeError("no answer after retries: " + method + " " + path)

def iso(offset):
    return (datetime.datetime.utcnow() + datetime.timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")

c = Conn()
st, p, _ = call(c, "POST", "/api/v1/admin/products", {"name": "Flash item", "price": 200, "stock": units}, admin)
assert st == 201, p
st, sale, _ = call(c, "POST", "/api/v1/admin/flash-sales", {"product_id": p["product_id"], "sale_price": 99,
        "quantity": units, "per_user_limit": 1, "starts_at": iso(-60), "ends_at": iso(3600)}, admin)
assert st == 201, sale
base = "/api/v1/flash-sales/" + sale["flash_sale_id"]

tokens = [None] * buyers
def register(lo, hi):
    cc = Conn()
    for i in range(lo, hi):
        st, r, _ = call(cc, "POST", "/api/v1/auth/register", {"email": f"flash{i}@example.com", "password": "bench-pass-1"})
        assert st == 201, r
        tokens[i] = r["token"]
ts = [threading.Thread(target=register, args=(k * buyers // 16, (k + 1) * buyers // 16)) for k in range(16)]
[t.start() for t in ts]; [t.join() for t in ts]

lat = {"join": [], "status": [], "checkout": []}
errors = {"429": 0, "other": 0}
lock = threading.Lock()
last_sale = [0.0]
go = threading.Event()
card = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
addr = {"name": "Bench", "street": "1 Main St", "city": "Springfield", "country": "US"}

def buyer(i):
    cc = Conn()
    go.wait()
    st, r, ms = call(cc, "POST", base + "/join", {}, tokens[i])
    with lock: lat["join"].append(ms)
    if st != 200:
        return
    while True:
        st, r, ms = call(cc, "GET", base + "/status", None, tokens[i])
        with lock: lat["status"].append(ms)
        if st == 429:
            with lock: errors["429"] += 1
            time.sleep(1); continue
        if st != 200:
            with lock: errors["other"] += 1
            return
        if r["state"] == "granted":
            st, o, ms = call(cc, "POST", base + "/checkout", {"token": r["token"], "shipping_address": addr,
                                                             "payment_method": card}, tokens[i])
            with lock:
                lat["checkout"].append(ms)
                if st == 201: last_sale[0] = time.perf_counter()
                else: errors["other"] += 1
            return
        if r["state"] != "queued":
            return
        time.sleep(0.2)

threads = [threading.Thread(target=buyer, args=(i,)) for i in range(buyers)]
[t.start() for t in threads]
start = time.perf_counter()
go.set()
[t.join() for t in threads]
total = time.perf_counter() - start

st, info, _ = call(c, "GET", base)
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0
for name in ("join", "status", "checkout"):
    xs = lat[name]
    print(f"flash-{name}\t{len(xs) / total:.0f}\t{pct(xs, .5):.1f}\t{pct(xs, .95):.1f}\t{pct(xs, .99):.1f}\t{len(xs)} requests")
sold = info["sold"]
print(f"flash-sellout\t-\t-\t-\t-\tsold {sold}/{units} to {buyers} buyers in {last_sale[0] - start:.2f} s, "
      f"oversold {max(0, sold - units)}, 429s {errors['429']}, reconnects {reconnects[0]}, errors {errors['other']}")
PY
