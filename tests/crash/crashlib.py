"""What the crash scripts share: a shop data dir with the environment the
rounds need, a `shopbox serve` that can be started and killed with -9, and
one HTTP request helper (response headers keyed in lower case)."""
import http.client
import json
import os
import signal
import subprocess
import tempfile
import threading
import time


def crash_env(data, latency_ms, ttl):
    """Environment for a crash run: no rate limits or velocity checks (the
    load is one address and a few users), a slow-ish test gateway so kills
    land mid-charge, short reservations so orphans expire within the run."""
    env = dict(os.environ)
    env.update({
        "SHOPBOX_DATA_DIR": data,
        "SHOPBOX_RATE_LIMIT_ENABLED": "0",
        "SHOPBOX_PAYMENTS_TEST_LATENCY_MS": str(latency_ms),
        "SHOPBOX_INVENTORY_RESERVATION_TTL_SECONDS": str(ttl),
        "SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N": "10",
        "SHOPBOX_CHECKOUT_MAX_ORDERS_PER_USER_HOUR": "0",
        "SHOPBOX_CHECKOUT_MAX_ORDERS_PER_IP_HOUR": "0",
        "SHOPBOX_CHECKOUT_MAX_ORDERS_PER_CARD_HOUR": "0",
    })
    return env


class Shop:
    def __init__(self, binary, prefix, latency_ms, ttl):
        self.bin = binary
        self.data = tempfile.mkdtemp(prefix=prefix)
        self.env = crash_env(self.data, latency_ms, ttl)
        self.server = None
        self.port = None

    def start(self):
        logf = open(os.path.join(self.data, "server.log"), "a")
        self.server = subprocess.Popen(
            [self.bin, "serve", "--data-dir", self.data, "--port", "0", "--listen", "127.0.0.1"],
            env=self.env, stdout=logf, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.server.stderr.readline()
            if not line:
                if self.server.poll() is not None:
                    raise SystemExit("server exited at start")
                continue
            logf.write(line)
            if "serving on http://" in line:
                self.port = int(line.split("serving on http://")[1].split()[0].rsplit(":", 1)[1])
                break
        else:
            raise SystemExit("server did not start")
        # Keep draining stderr so the pipe never blocks the server.
        threading.Thread(target=lambda p=self.server, f=logf: [f.write(l) for l in p.stderr], daemon=True).start()

    def kill9(self):
        self.server.send_signal(signal.SIGKILL)
        self.server.wait()

    def request(self, method, path, body=None, headers=None, timeout=30, raw=None):
        """(status, text, headers with lower-case names)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        conn.request(method, path, body=payload, headers=h)
        r = conn.getresponse()
        text = r.read().decode()
        out = (r.status, text, {k.lower(): v for k, v in r.getheaders()})
        conn.close()
        return out
