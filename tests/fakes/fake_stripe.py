#!/usr/bin/env python3
"""A local fake of Stripe's API, for shopbox's tests (docs/payments.md).

It follows Stripe's documented shapes: form-encoded bodies with bracket keys
(metadata[k]=v, expand[]=x), `Authorization: Bearer sk_...` (or HTTP Basic
with the key as user name), error objects {"error": {type, code,
decline_code, message, param, ...}} with Stripe's HTTP statuses (400, 401,
402, 404, 500), Idempotency-Key replays (the first status and body, with
`Idempotent-Replayed: true`; 400 idempotency_error when the same key comes
with other parameters), PaymentIntents (create, retrieve, confirm, capture,
cancel, list), PaymentMethods (create from Stripe's test card numbers,
retrieve; the pm_card_* test ids), Refunds (create, retrieve, list), Events
(retrieve, list) and signed webhook deliveries (Stripe-Signature
t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>")).

Fake-only control routes live under /_fake/ (no key needed):
  GET|POST /_fake/config       {latency_ms, fail_next, webhook_url, webhook_secret}
  POST /_fake/3ds/{pi}/complete?outcome=succeed|fail   finish a 3-D Secure challenge
  GET  /_fake/3ds/{pi}/challenge                       the challenge as a page (redirect flow)
  GET  /_fake/requests         what it received (card number and CVC redacted); DELETE clears
  GET  /_fake/state            counts of the objects it holds
  GET  /_fake/events           the events it made and what each delivery got back
  POST /_fake/send_event       {"id": "evt_..."} re-sends an event ({"signature": "bad"} mis-signs it)
  POST /_fake/idempotency/clear  forgets every Idempotency-Key (as Stripe does after 24 hours)
GET /v3/ serves a small stand-in for Stripe.js v3 (see STRIPE_JS below).

Usage: fake_stripe.py --port 0 --secret sk_test_x --webhook-secret whsec_x
Prints "listening on <port>" as its first line of standard output; SIGTERM
ends it. Python 3 standard library only.
"""

import argparse
import base64
import copy
import hashlib
import hmac
import json
import re
import secrets
import signal
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_API_VERSION = "2024-06-20"
ALNUM = string.ascii_letters + string.digits

# ---- test payment methods and card numbers, as Stripe documents them ----

# behaviour: approve | decline:<code>:<decline_code> | 3ds
TEST_PAYMENT_METHODS = {
    "pm_card_visa": ("visa", "4242", "approve"),
    "pm_card_visa_debit": ("visa", "5556", "approve"),
    "pm_card_mastercard": ("mastercard", "4444", "approve"),
    "pm_card_mastercard_debit": ("mastercard", "8210", "approve"),
    "pm_card_amex": ("amex", "8431", "approve"),
    "pm_card_discover": ("discover", "1117", "approve"),
    "pm_card_diners": ("diners", "0004", "approve"),
    "pm_card_jcb": ("jcb", "0505", "approve"),
    "pm_card_chargeDeclined": ("visa", "0002", "decline:card_declined:generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "decline:card_declined:insufficient_funds"),
    "pm_card_chargeDeclinedLostCard": ("visa", "9987", "decline:card_declined:lost_card"),
    "pm_card_chargeDeclinedStolenCard": ("visa", "9979", "decline:card_declined:stolen_card"),
    "pm_card_chargeDeclinedExpiredCard": ("visa", "0069", "decline:expired_card:expired_card"),
    "pm_card_chargeDeclinedIncorrectCvc": ("visa", "0127", "decline:incorrect_cvc:incorrect_cvc"),
    "pm_card_chargeDeclinedProcessingError": ("visa", "0119", "decline:processing_error:processing_error"),
    "pm_card_threeDSecure2Required": ("visa", "3220", "3ds"),
    "pm_card_threeDSecureRequired": ("visa", "3063", "3ds"),
    "pm_card_authenticationRequired": ("visa", "3184", "3ds"),
}

TEST_CARD_NUMBERS = {
    "4242424242424242": "approve",
    "4000056655665556": "approve",
    "5555555555554444": "approve",
    "2223003122003222": "approve",
    "5200828282828210": "approve",
    "378282246310005": "approve",
    "371449635398431": "approve",
    "6011111111111117": "approve",
    "4000000000000002": "decline:card_declined:generic_decline",
    "4000000000009995": "decline:card_declined:insufficient_funds",
    "4000000000009987": "decline:card_declined:lost_card",
    "4000000000009979": "decline:card_declined:stolen_card",
    "4000000000000069": "decline:expired_card:expired_card",
    "4000000000000127": "decline:incorrect_cvc:incorrect_cvc",
    "4000000000000119": "decline:processing_error:processing_error",
    "4000002760003184": "3ds",
    "4000000000003220": "3ds",
    "4000000000003063": "3ds",
    "4000002500003155": "3ds",
}

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
}
DECLINE_PARAMS = {"expired_card": "exp_month", "incorrect_cvc": "cvc"}
AUTH_FAILURE_MESSAGE = ("We are unable to authenticate your payment method. Please choose a different payment "
                        "method and try again.")


def new_id(prefix, n=24):
    return prefix + "".join(secrets.choice(ALNUM) for _ in range(n))


def luhn_ok(digits):
    total, dbl = 0, False
    for ch in reversed(digits):
        v = ord(ch) - 48
        if dbl:
            v *= 2
            if v > 9:
                v -= 9
        total += v
        dbl = not dbl
    return total % 10 == 0


def brand_of(digits):
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in ("34", "37"):
        return "amex"
    if digits[:2] in ("51", "52", "53", "54", "55") or "2221" <= digits[:4] <= "2720":
        return "mastercard"
    if digits.startswith("6011") or digits.startswith("65"):
        return "discover"
    if "3528" <= digits[:4] <= "3589":
        return "jcb"
    if digits[:2] in ("36", "38"):
        return "diners"
    return "unknown"


# ---- form bodies with bracket keys ----

KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def decode_form(text):
    """metadata[k]=v, expand[]=a&expand[]=b, card[number]=... into nested values."""
    out = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        m = KEY_RE.match(key)
        if not m:
            raise ValueError("Invalid parameter name: %s" % key)
        parts = [m.group(1)] + re.findall(r"\[([^\[\]]*)\]", m.group(2))
        node = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            if isinstance(node, list):
                if last:
                    node.append(value)
                else:
                    child = [] if (nxt == "" or nxt.isdigit()) else {}
                    node.append(child)
                    node = child
                continue
            if last:
                node[part] = value
            else:
                want_list = nxt == "" or nxt.isdigit()
                if part not in node or not isinstance(node[part], (list if want_list else dict)):
                    node[part] = [] if want_list else {}
                node = node[part]
    return out


def canonical(params):
    return json.dumps(params, sort_keys=True)


class StripeError(Exception):
    def __init__(self, status, type_, message, code=None, param=None, decline_code=None, extra=None):
        super().__init__(message)
        self.status = status
        self.body = {"type": type_, "message": message}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
        if param is not None:
            self.body["param"] = param
        if decline_code:
            self.body["decline_code"] = decline_code
        if extra:
            self.body.update(extra)
        # Stripe saves an idempotent result only once an endpoint ran:
        # parameter validation failures are not saved.
        self.saved = not (code or "").startswith("parameter_")


def invalid(message, code=None, param=None, status=400, extra=None):
    return StripeError(status, "invalid_request_error", message, code=code, param=param, extra=extra)


def need_int(params, name, required=True):
    if name not in params:
        if required:
            raise invalid("Missing required param: %s." % name, "parameter_missing", name)
        return None
    v = params[name]
    if not isinstance(v, str) or not re.fullmatch(r"-?\d{1,15}", v):
        raise invalid("Invalid integer: %s" % v, "parameter_invalid_integer", name)
    return int(v)


def check_known(params, allowed):
    for k in params:
        if k not in allowed:
            raise invalid("Received unknown parameter: %s" % k, "parameter_unknown", k)


def money(amount, currency):
    return "$%d.%02d" % (amount // 100, amount % 100) if currency == "usd" else "%d %s" % (amount, currency)


class FakeStripe:
    def __init__(self, secret, webhook_secret, publishable=None):
        self.lock = threading.RLock()
        self.secret = secret
        self.publishable = publishable
        self.webhook_secret = webhook_secret
        self.webhook_url = ""
        self.latency_ms = 0
        self.fail_next = 0
        self.intents = {}  # id -> payment_intent object
        self.intent_state = {}  # id -> {"behaviour", "next_action_kind", "return_url"}
        self.methods = {}  # id -> payment_method object
        self.method_behaviour = {}
        self.charges = {}
        self.refunds = {}
        self.events = []  # (event, deliveries[])
        self.idem = {}  # (api key, idempotency key) -> {"sig", "status", "body"}
        self.requests = []

    # ---- objects ----

    def payment_method(self, pm_id, status=400):
        if pm_id in self.methods:
            return self.methods[pm_id]
        if pm_id in TEST_PAYMENT_METHODS:
            brand, last4, behaviour = TEST_PAYMENT_METHODS[pm_id]
            return self.make_method(pm_id, brand, last4, 12, 2034, behaviour)
        raise invalid("No such PaymentMethod: '%s'" % pm_id, "resource_missing", "payment_method", status=status)

    def make_method(self, pm_id, brand, last4, exp_month, exp_year, behaviour, billing=None):
        pm = {
            "id": pm_id, "object": "payment_method", "allow_redisplay": "unspecified",
            "billing_details": billing or {"address": None, "email": None, "name": None, "phone": None},
            "card": {"brand": brand, "checks": {"address_line1_check": None, "address_postal_code_check": None,
                                                 "cvc_check": "unchecked"},
                     "country": "US", "display_brand": brand, "exp_month": exp_month, "exp_year": exp_year,
                     "fingerprint": hashlib.sha256((brand + last4).encode()).hexdigest()[:16],
                     "funding": "credit", "generated_from": None, "last4": last4,
                     "networks": {"available": [brand], "preferred": None},
                     "three_d_secure_usage": {"supported": True}, "wallet": None},
            "created": int(time.time()), "customer": None, "livemode": False, "metadata": {}, "type": "card",
        }
        self.methods[pm_id] = pm
        self.method_behaviour[pm_id] = behaviour
        return pm

    def intent(self, pi_id):
        if pi_id not in self.intents:
            raise invalid("No such payment_intent: '%s'" % pi_id, "resource_missing", "intent", status=404)
        return self.intents[pi_id]

    def expanded(self, pi, expand):
        out = copy.deepcopy(pi)
        for e in expand or []:
            if e == "payment_method" and out.get("payment_method"):
                out["payment_method"] = copy.deepcopy(self.payment_method(out["payment_method"]))
            elif e == "latest_charge" and out.get("latest_charge"):
                out["latest_charge"] = copy.deepcopy(self.charges[out["latest_charge"]])
            elif e not in ("payment_method", "latest_charge"):
                raise invalid("This property cannot be expanded (%s)." % e, param="expand")
        return out

    def new_charge(self, pi, pm, status, failure=None):
        card = pm["card"]
        ch = {
            "id": new_id("ch_3"), "object": "charge", "amount": pi["amount"], "amount_captured": 0,
            "amount_refunded": 0, "balance_transaction": None, "captured": False, "created": int(time.time()),
            "currency": pi["currency"], "failure_code": failure["code"] if failure else None,
            "failure_message": failure["message"] if failure else None, "livemode": False,
            "metadata": dict(pi["metadata"]),
            "outcome": {"network_status": "declined_by_network" if failure else "approved_by_network",
                        "reason": failure.get("decline_code") if failure else None,
                        "risk_level": "normal", "seller_message": "The bank did not return any further details."
                        if failure else "Payment complete.", "type": "issuer_declined" if failure else "authorized"},
            "paid": status == "succeeded", "payment_intent": pi["id"], "payment_method": pm["id"],
            "payment_method_details": {"card": {"brand": card["brand"], "last4": card["last4"],
                                                "exp_month": card["exp_month"], "exp_year": card["exp_year"],
                                                "country": "US", "funding": "credit"}, "type": "card"},
            "refunded": False, "refunds": None, "status": status,
        }
        self.charges[ch["id"]] = ch
        pi["latest_charge"] = ch["id"]
        return ch

    def public_intent(self, pi):
        """What a publishable key sees of a PaymentIntent (Stripe.js)."""
        keep = ("id", "object", "amount", "amount_details", "automatic_payment_methods", "canceled_at",
                "cancellation_reason", "capture_method", "client_secret", "confirmation_method", "created",
                "currency", "description", "last_payment_error", "livemode", "next_action", "payment_method",
                "payment_method_types", "processing", "status")
        return {k: copy.deepcopy(pi.get(k)) for k in keep}

    # ---- events and webhooks ----

    def make_event(self, type_, obj, request=None):
        ev = {"id": new_id("evt_3"), "object": "event", "api_version": DEFAULT_API_VERSION,
              "created": int(time.time()), "data": {"object": copy.deepcopy(obj)}, "livemode": False,
              "pending_webhooks": 1 if self.webhook_url else 0,
              "request": request or {"id": None, "idempotency_key": None}, "type": type_}
        record = {"event": ev, "deliveries": []}
        self.events.append(record)
        return record

    def sign(self, payload, secret, t=None):
        t = int(time.time()) if t is None else t
        v1 = hmac.new(secret.encode(), ("%d." % t).encode() + payload, hashlib.sha256).hexdigest()
        v0 = hmac.new(b"whsec_v0_test", ("%d." % t).encode() + payload, hashlib.sha256).hexdigest()
        return "t=%d,v1=%s,v0=%s" % (t, v1, v0)

    def deliver(self, record, bad_signature=False):
        """POSTs an event to the webhook URL; returns what came back (None: no URL)."""
        with self.lock:
            url, secret = self.webhook_url, self.webhook_secret
        if not url:
            return None
        payload = json.dumps(record["event"], indent=2).encode()
        sig = self.sign(payload, "whsec_wrong" if bad_signature else secret)
        req = urllib.request.Request(url, data=payload, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": sig,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
        result = {"at": int(time.time())}
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                result.update(status=resp.status, body=resp.read(2000).decode("utf-8", "replace"))
        except urllib.error.HTTPError as e:
            result.update(status=e.code, body=e.read(2000).decode("utf-8", "replace"))
        except Exception as e:  # unreachable, timeout
            result.update(status=0, error=str(e))
        with self.lock:
            record["deliveries"].append(result)
        return result

    def deliver_later(self, records):
        if records:
            threading.Thread(target=lambda: [self.deliver(r) for r in records], daemon=True).start()


API = None  # the FakeStripe, set in main()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-stripe"

    def log_message(self, fmt, *args):  # quiet: the tests read stdout/stderr
        if API and getattr(API, "verbose", False):
            sys.stderr.write("fake_stripe: " + (fmt % args) + "\n")

    # ---- plumbing ----

    def send(self, status, body, content_type="application/json", extra_headers=None):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body, indent=2).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", new_id("req_", 14))
        self.send_header("Stripe-Version", self.headers.get("Stripe-Version") or DEFAULT_API_VERSION)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Request-Id, Idempotent-Replayed")
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def body_text(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode("utf-8", "replace") if n > 0 else ""

    def api_key(self, params):
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            return auth[7:].strip()
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:]).decode().split(":", 1)[0]
            except Exception:
                return "?"
        return params.pop("key", None) if isinstance(params.get("key"), str) else None

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         "Authorization, Content-Type, Idempotency-Key, Stripe-Version")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        text = self.body_text() if method == "POST" else ""
        try:
            if path in ("/v3", "/v3/", "/v3/stripe.js"):
                return self.send(200, STRIPE_JS, "application/javascript; charset=utf-8")
            if path.startswith("/_fake/"):
                return self.fake_route(method, path, url.query, text)
            if not path.startswith("/v1/"):
                raise invalid("Unrecognized request URL (%s: %s)." % (method, path), status=404)
            try:
                params = decode_form(url.query) if method != "POST" else decode_form(text)
                if method == "POST" and url.query:
                    params.update(decode_form(url.query))
            except ValueError as e:
                raise invalid(str(e))
            self.api_call(method, path, params)
        except StripeError as e:
            self.send(e.status, {"error": e.body})

    # ---- /v1 ----

    def record_request(self, method, path, params, key_kind):
        redacted = copy.deepcopy(params)
        card = redacted.get("card")
        if isinstance(card, dict):
            for f in ("number", "cvc"):
                if f in card:
                    card[f] = "[redacted]"
        with API.lock:
            API.requests.append({
                "method": method, "path": path, "params": redacted, "key": key_kind,
                "idempotency_key": self.headers.get("Idempotency-Key"),
                "stripe_version": self.headers.get("Stripe-Version"),
                "content_type": self.headers.get("Content-Type"), "at": time.time()})

    def api_call(self, method, path, params):
        key = self.api_key(params)
        key_kind = "secret" if key == API.secret else (
            "publishable" if key and key.startswith("pk_") else ("none" if not key else "wrong"))
        self.record_request(method, path, params, key_kind)
        if key_kind == "none":
            raise StripeError(401, "invalid_request_error",
                              "You did not provide an API key. You need to provide your API key in the "
                              "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
        if key_kind == "wrong":
            raise StripeError(401, "invalid_request_error", "Invalid API Key provided: %s" % (
                key[:8] + "*" * 8 + key[-4:] if len(key) > 12 else "****"), code="api_key_invalid")
        if key_kind == "publishable" and API.publishable and key != API.publishable:
            raise StripeError(401, "invalid_request_error", "Invalid API Key provided: pk_****")
        with API.lock:
            fail = API.fail_next > 0
            if fail:
                API.fail_next -= 1
            latency = API.latency_ms
        if latency > 0:
            time.sleep(latency / 1000.0)
        if fail:
            raise StripeError(500, "api_error", "An unknown error occurred (fake_stripe fail_next).")
        idem_key = self.headers.get("Idempotency-Key") if method == "POST" else None
        sig = canonical({"method": method, "path": path, "params": params})
        later = []
        with API.lock:
            if idem_key:
                prev = API.idem.get((key, idem_key))
                if prev:
                    if prev["sig"] != sig:
                        raise invalid("Keys for idempotent requests can only be used with the same parameters "
                                      "they were first used with. Try using a key other than '%s' if you meant "
                                      "to execute a different request." % idem_key, extra={"type":
                                                                                           "idempotency_error"})
                    return self.send(prev["status"], prev["body"], extra_headers={"Idempotent-Replayed": "true"})
            saved = True
            try:
                status, body = 200, self.route(method, path, params, key_kind, idem_key)
                if isinstance(body, tuple):
                    body, later = body
            except StripeError as e:
                status, body, later, saved = e.status, {"error": e.body}, getattr(e, "later", []), e.saved
            if idem_key and saved:
                API.idem[(key, idem_key)] = {"sig": sig, "status": status, "body": body}
        API.deliver_later(later)
        self.send(status, body)

    def route(self, method, path, p, key_kind, idem_key):
        parts = path.strip("/").split("/")[1:]  # after "v1"
        public_ok = (parts[:1] == ["payment_methods"] and method == "POST") or (
            parts[:1] == ["payment_intents"] and (len(parts) == 2 or parts[2:] == ["confirm"]) and "client_secret" in p)
        if key_kind == "publishable" and not public_ok:
            raise StripeError(401, "invalid_request_error", "This API call cannot be made with a publishable API "
                              "key. Please use a secret API key.", code="secret_key_required")
        req = {"id": new_id("req_", 14), "idempotency_key": idem_key}
        if parts == ["payment_methods"] and method == "POST":
            return self.create_payment_method(p)
        if len(parts) == 2 and parts[0] == "payment_methods" and method == "GET":
            return API.payment_method(parts[1], status=404)
        if parts == ["payment_intents"]:
            return self.create_intent(p, req) if method == "POST" else self.list_of(API.intents, p)
        if len(parts) >= 2 and parts[0] == "payment_intents":
            pi = API.intent(parts[1])
            if key_kind == "publishable" and p.get("client_secret") != pi["client_secret"]:
                raise invalid("The client_secret provided does not match the client_secret associated with the "
                              "PaymentIntent.", "payment_intent_invalid_parameter", "client_secret")
            p.pop("client_secret", None) if key_kind == "publishable" else None
            if len(parts) == 2 and method == "GET":
                check_known(p, {"expand", "client_secret"})
                return API.public_intent(pi) if key_kind == "publishable" else API.expanded(pi, p.get("expand"))
            action = parts[2] if len(parts) == 3 else ""
            if method == "POST" and action == "confirm":
                body, later = self.confirm(pi, p, req)
                return (API.public_intent(pi) if key_kind == "publishable" else body), later
            if method == "POST" and action == "capture":
                return self.capture(pi, p, req)
            if method == "POST" and action == "cancel":
                return self.cancel(pi, p, req)
        if parts == ["refunds"]:
            return self.create_refund(p, req) if method == "POST" else self.list_refunds(p)
        if len(parts) == 2 and parts[0] == "refunds" and method == "GET":
            if parts[1] not in API.refunds:
                raise invalid("No such refund: '%s'" % parts[1], "resource_missing", "id", status=404)
            return API.refunds[parts[1]]
        if parts == ["events"] and method == "GET":
            return self.list_of({r["event"]["id"]: r["event"] for r in API.events}, p)
        if len(parts) == 2 and parts[0] == "events" and method == "GET":
            for r in API.events:
                if r["event"]["id"] == parts[1]:
                    return r["event"]
            raise invalid("No such event: '%s'" % parts[1], "resource_missing", "id", status=404)
        raise invalid("Unrecognized request URL (%s: %s)." % (method, path), status=404)

    def list_of(self, objects, p):
        check_known(p, {"limit", "starting_after", "ending_before", "created", "customer", "expand", "type"})
        limit = need_int(p, "limit", required=False) or 10
        items = list(reversed(list(objects.values())))  # newest first, as Stripe lists (insertion order)
        if p.get("type"):
            items = [o for o in items if o.get("type") == p["type"]]
        return {"object": "list", "data": copy.deepcopy(items[:limit]), "has_more": len(items) > limit,
                "url": self.path.split("?")[0]}

    # ---- payment methods ----

    def create_payment_method(self, p):
        check_known(p, {"type", "card", "billing_details", "metadata", "expand", "payment_user_agent", "guid",
                        "muid", "sid", "time_on_page", "key"})
        if p.get("type") != "card":
            raise invalid("Missing required param: type." if "type" not in p else
                          "Invalid type: must be card in this fake", "parameter_missing", "type")
        card = p.get("card")
        if not isinstance(card, dict):
            raise invalid("Missing required param: card.", "parameter_missing", "card")
        number = re.sub(r"[\s-]", "", card.get("number", ""))

        def card_error(code, message, param):
            return StripeError(402, "card_error", message, code=code, param=param)

        if not number:
            raise invalid("Missing required param: card[number].", "parameter_missing", "card[number]")
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
            raise card_error("incorrect_number", "Your card number is incorrect.", "number")
        try:
            month, year = int(card.get("exp_month", "")), int(card.get("exp_year", ""))
        except ValueError:
            raise card_error("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
        if year < 100:
            year += 2000
        if not 1 <= month <= 12:
            raise card_error("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
        now = time.gmtime()
        if year < now.tm_year or (year == now.tm_year and month < now.tm_mon) or year > now.tm_year + 50:
            raise card_error("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")
        cvc = card.get("cvc", "")
        if cvc and (not cvc.isdigit() or len(cvc) not in (3, 4)):
            raise card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
        billing = {"address": None, "email": None, "name": None, "phone": None}
        if isinstance(p.get("billing_details"), dict):
            billing.update({k: v for k, v in p["billing_details"].items() if k in billing})
        behaviour = TEST_CARD_NUMBERS.get(number, "approve")
        pm = API.make_method(new_id("pm_1"), brand_of(number), number[-4:], month, year, behaviour, billing)
        return pm

    # ---- payment intents ----

    def create_intent(self, p, req):
        check_known(p, {"amount", "currency", "payment_method", "payment_method_types", "capture_method",
                        "confirm", "metadata", "description", "return_url", "use_stripe_sdk", "expand",
                        "confirmation_method", "receipt_email", "statement_descriptor", "automatic_payment_methods",
                        "payment_method_options", "customer", "setup_future_usage", "shipping"})
        amount = need_int(p, "amount")
        currency = p.get("currency")
        if not currency:
            raise invalid("Missing required param: currency.", "parameter_missing", "currency")
        currency = currency.lower()
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise invalid("Invalid currency: %s." % currency, "parameter_invalid_string", "currency")
        if amount < 1 or (currency == "usd" and amount < 50):
            raise invalid("Amount must be at least $0.50 usd", "amount_too_small", "amount")
        if amount > 99999999:
            raise invalid("Amount must be no more than $999,999.99", "amount_too_large", "amount")
        capture_method = p.get("capture_method", "automatic")
        if capture_method not in ("automatic", "automatic_async", "manual"):
            raise invalid("Invalid capture_method: must be one of automatic, automatic_async, or manual",
                          "parameter_invalid_string", "capture_method")
        pm = p.get("payment_method")
        if pm:
            API.payment_method(pm)  # 400 resource_missing when unknown
        types = p.get("payment_method_types") or ["card"]
        if types != ["card"]:
            raise invalid("The payment method type provided: %s is invalid." % ",".join(types),
                          "payment_method_invalid_parameter", "payment_method_types")
        pi_id = new_id("pi_3")
        metadata = p.get("metadata") if isinstance(p.get("metadata"), dict) else {}
        pi = {
            "id": pi_id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_details": {"tip": {}}, "amount_received": 0, "application": None,
            "application_fee_amount": None, "automatic_payment_methods": None, "canceled_at": None,
            "cancellation_reason": None, "capture_method": capture_method,
            "client_secret": pi_id + "_secret_" + "".join(secrets.choice(ALNUM) for _ in range(25)),
            "confirmation_method": p.get("confirmation_method", "automatic"), "created": int(time.time()),
            "currency": currency, "customer": None, "description": p.get("description"),
            "last_payment_error": None, "latest_charge": None, "livemode": False, "metadata": metadata,
            "next_action": None, "on_behalf_of": None, "payment_method": pm or None,
            "payment_method_configuration_details": None,
            "payment_method_options": {"card": {"installments": None, "mandate_options": None, "network": None,
                                                "request_three_d_secure": "automatic"}},
            "payment_method_types": ["card"], "processing": None, "receipt_email": p.get("receipt_email"),
            "review": None, "setup_future_usage": None, "shipping": None, "source": None,
            "statement_descriptor": None, "statement_descriptor_suffix": None,
            "status": "requires_confirmation" if pm else "requires_payment_method",
            "transfer_data": None, "transfer_group": None,
        }
        API.intents[pi_id] = pi
        API.intent_state[pi_id] = {}
        later = [API.make_event("payment_intent.created", pi, req)]
        if p.get("confirm") == "true":
            body, more = self.confirm(pi, {k: v for k, v in p.items() if k in ("return_url", "use_stripe_sdk",
                                                                               "expand")}, req)
            return body, later + more
        return API.expanded(pi, p.get("expand")), later

    def confirm(self, pi, p, req):
        check_known(p, {"payment_method", "return_url", "use_stripe_sdk", "expand", "receipt_email",
                        "payment_method_options", "setup_future_usage", "shipping", "error_on_requires_action",
                        "mandate_data", "off_session", "capture_method"})
        status = pi["status"]
        if status == "requires_action":
            return API.expanded(pi, p.get("expand")), []
        if status not in ("requires_confirmation", "requires_payment_method"):
            raise invalid("You cannot confirm this PaymentIntent because it has a status of %s. Only a "
                          "PaymentIntent with one of the following statuses may be confirmed: "
                          "requires_confirmation, requires_action, requires_payment_method." % status,
                          "payment_intent_unexpected_state", extra={"payment_intent": API.expanded(pi, [])})
        if p.get("payment_method"):
            API.payment_method(p["payment_method"])
            pi["payment_method"] = p["payment_method"]
        if not pi["payment_method"]:
            raise invalid("You cannot confirm this PaymentIntent because it's missing a payment method. To confirm "
                          "the PaymentIntent with a payment method, pass the payment_method parameter.",
                          "payment_intent_unexpected_state", extra={"payment_intent": API.expanded(pi, [])})
        pm = API.payment_method(pi["payment_method"])
        behaviour = API.method_behaviour.get(pm["id"], "approve")
        pi["last_payment_error"] = None
        if behaviour == "3ds":
            state = API.intent_state.setdefault(pi["id"], {})
            state["return_url"] = p.get("return_url")
            challenge = "http://%s/_fake/3ds/%s/challenge" % (self.headers.get("Host"), pi["id"])
            if p.get("use_stripe_sdk") == "true" or not p.get("return_url"):
                pi["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {
                    "type": "three_d_secure_redirect", "stripe_js": challenge, "source": new_id("src_1")}}
            else:
                pi["next_action"] = {"type": "redirect_to_url", "redirect_to_url": {
                    "url": challenge, "return_url": p["return_url"]}}
            pi["status"] = "requires_action"
            return API.expanded(pi, p.get("expand")), [API.make_event("payment_intent.requires_action", pi, req)]
        if behaviour.startswith("decline:"):
            return self.decline(pi, pm, behaviour.split(":")[1], behaviour.split(":")[2], req)
        later = self.approve(pi, pm, req)
        return API.expanded(pi, p.get("expand")), later

    def approve(self, pi, pm, req):
        ch = API.new_charge(pi, pm, "succeeded")
        pi["next_action"] = None
        pi["last_payment_error"] = None
        if pi["capture_method"] == "manual":
            pi["status"] = "requires_capture"
            pi["amount_capturable"] = pi["amount"]
            return [API.make_event("charge.succeeded", ch, req),
                    API.make_event("payment_intent.amount_capturable_updated", pi, req)]
        pi["status"] = "succeeded"
        pi["amount_received"] = pi["amount"]
        ch.update(captured=True, amount_captured=pi["amount"])
        return [API.make_event("charge.succeeded", ch, req), API.make_event("payment_intent.succeeded", pi, req)]

    def decline(self, pi, pm, code, decline_code, req):
        message = DECLINE_MESSAGES.get(decline_code, "Your card was declined.")
        err = {"type": "card_error", "code": code, "decline_code": decline_code, "message": message,
               "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
               "param": DECLINE_PARAMS.get(decline_code, ""), "payment_method": copy.deepcopy(pm)}
        ch = API.new_charge(pi, pm, "failed", {"code": code, "message": message, "decline_code": decline_code})
        err["charge"] = ch["id"]
        pi["status"] = "requires_payment_method"
        pi["payment_method"] = None  # Stripe detaches the failed method
        pi["last_payment_error"] = err
        pi["next_action"] = None
        later = [API.make_event("charge.failed", ch, req), API.make_event("payment_intent.payment_failed", pi, req)]
        e = StripeError(402, "card_error", message, code=code, param=err["param"], decline_code=decline_code,
                        extra={"charge": ch["id"], "payment_intent": API.expanded(pi, []),
                               "payment_method": copy.deepcopy(pm)})
        e.later = later  # a decline makes events too: api_call delivers them
        raise e

    def finish_challenge(self, pi, outcome):
        if pi["status"] != "requires_action":
            raise invalid("This PaymentIntent is not waiting for authentication (status %s)." % pi["status"],
                          "payment_intent_unexpected_state")
        pm = API.payment_method(pi["payment_method"])
        if outcome == "succeed":
            return self.approve(pi, pm, None)
        pi["status"] = "requires_payment_method"
        pi["next_action"] = None
        pi["last_payment_error"] = {
            "type": "card_error", "code": "payment_intent_authentication_failure", "message": AUTH_FAILURE_MESSAGE,
            "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            "payment_method": copy.deepcopy(pm)}
        pi["payment_method"] = None
        return [API.make_event("payment_intent.payment_failed", pi, None)]

    def capture(self, pi, p, req):
        check_known(p, {"amount_to_capture", "expand", "metadata", "statement_descriptor", "final_capture"})
        if pi["status"] != "requires_capture":
            raise invalid("This PaymentIntent could not be captured because it has a status of %s. Only a "
                          "PaymentIntent with one of the following statuses may be captured: requires_capture."
                          % pi["status"], "payment_intent_unexpected_state",
                          extra={"payment_intent": API.expanded(pi, [])})
        amount = need_int(p, "amount_to_capture", required=False)
        amount = pi["amount_capturable"] if amount is None else amount
        if amount <= 0 or amount > pi["amount_capturable"]:
            raise invalid("The amount_to_capture must be positive and no more than the amount_capturable (%d)."
                          % pi["amount_capturable"], "amount_too_large", "amount_to_capture")
        ch = API.charges[pi["latest_charge"]]
        ch.update(captured=True, amount_captured=amount)
        pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
        return API.expanded(pi, p.get("expand")), [API.make_event("charge.captured", ch, req),
                                                   API.make_event("payment_intent.succeeded", pi, req)]

    def cancel(self, pi, p, req):
        check_known(p, {"cancellation_reason", "expand"})
        allowed = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action",
                   "processing")
        if pi["status"] not in allowed:
            raise invalid("You cannot cancel this PaymentIntent because it has a status of %s. Only a "
                          "PaymentIntent with one of the following statuses may be canceled: %s."
                          % (pi["status"], ", ".join(allowed)), "payment_intent_unexpected_state",
                          extra={"payment_intent": API.expanded(pi, [])})
        reason = p.get("cancellation_reason")
        if reason and reason not in ("duplicate", "fraudulent", "requested_by_customer", "abandoned"):
            raise invalid("Invalid cancellation_reason", "parameter_invalid_string", "cancellation_reason")
        if pi["status"] == "requires_capture":
            ch = API.charges[pi["latest_charge"]]
            ch.update(refunded=True, amount_refunded=ch["amount"])
        pi.update(status="canceled", canceled_at=int(time.time()), cancellation_reason=reason,
                  amount_capturable=0, next_action=None)
        return API.expanded(pi, p.get("expand")), [API.make_event("payment_intent.canceled", pi, req)]

    # ---- refunds ----

    def create_refund(self, p, req):
        check_known(p, {"payment_intent", "charge", "amount", "reason", "metadata", "expand"})
        if p.get("payment_intent"):
            pi = API.intent(p["payment_intent"])
        elif p.get("charge"):
            ch = API.charges.get(p["charge"])
            if not ch:
                raise invalid("No such charge: '%s'" % p["charge"], "resource_missing", "charge", status=404)
            pi = API.intent(ch["payment_intent"])
        else:
            raise invalid("One of the following params should be provided for this request: payment_intent or "
                          "charge.", "parameter_missing")
        ch = API.charges.get(pi.get("latest_charge") or "")
        if pi["status"] != "succeeded" or not ch or not ch["captured"]:
            raise invalid("This PaymentIntent (%s) does not have a successful charge to refund." % pi["id"],
                          "payment_intent_unexpected_state", "payment_intent")
        remaining = ch["amount_captured"] - ch["amount_refunded"]
        if remaining <= 0:
            raise invalid("Charge %s has already been refunded." % ch["id"], "charge_already_refunded")
        amount = need_int(p, "amount", required=False)
        amount = remaining if amount is None else amount
        if amount <= 0:
            raise invalid("Invalid positive integer", "parameter_invalid_integer", "amount")
        if amount > remaining:
            raise invalid("Refund amount (%s) is greater than unrefunded amount on charge (%s)"
                          % (money(amount, ch["currency"]), money(remaining, ch["currency"])), param="amount")
        re_ = {"id": new_id("re_3"), "object": "refund", "amount": amount, "balance_transaction": None,
               "charge": ch["id"], "created": int(time.time()), "currency": ch["currency"],
               "destination_details": {"card": {"type": "refund"}, "type": "card"},
               "metadata": p.get("metadata") if isinstance(p.get("metadata"), dict) else {},
               "payment_intent": pi["id"], "reason": p.get("reason"), "receipt_number": None,
               "source_transfer_reversal": None, "status": "succeeded", "transfer_reversal": None}
        API.refunds[re_["id"]] = re_
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount_captured"]
        return re_, [API.make_event("refund.created", re_, req), API.make_event("charge.refunded", ch, req)]

    def list_refunds(self, p):
        check_known(p, {"payment_intent", "charge", "limit", "starting_after", "ending_before", "created", "expand"})
        limit = need_int(p, "limit", required=False) or 10
        items = [r for r in API.refunds.values()
                 if (not p.get("payment_intent") or r["payment_intent"] == p["payment_intent"])
                 and (not p.get("charge") or r["charge"] == p["charge"])]
        items.reverse()  # newest first, as Stripe lists (insertion order breaks same-second ties)
        return {"object": "list", "data": copy.deepcopy(items[:limit]), "has_more": len(items) > limit,
                "url": "/v1/refunds"}

    # ---- /_fake ----

    def fake_route(self, method, path, query, text):
        q = dict(urllib.parse.parse_qsl(query))
        try:
            body = json.loads(text) if text.strip().startswith("{") else dict(urllib.parse.parse_qsl(text))
        except ValueError:
            raise invalid("the body is not JSON")
        if path == "/_fake/config":
            with API.lock:
                for k in ("latency_ms", "fail_next"):
                    if k in body:
                        setattr(API, k, int(body[k]))
                for k in ("webhook_url", "webhook_secret"):
                    if k in body:
                        setattr(API, k, str(body[k]))
                return self.send(200, {"latency_ms": API.latency_ms, "fail_next": API.fail_next,
                                       "webhook_url": API.webhook_url})
        m = re.fullmatch(r"/_fake/3ds/([A-Za-z0-9_]+)/(complete|challenge)", path)
        if m and m.group(2) == "challenge" and method == "GET":
            return self.send(200, CHALLENGE_PAGE.replace("{{PI}}", m.group(1)), "text/html; charset=utf-8")
        if m and method == "POST":
            outcome = q.get("outcome") or body.get("outcome") or "succeed"
            if outcome not in ("succeed", "fail"):
                raise invalid("outcome must be succeed or fail", param="outcome")
            with API.lock:
                pi = API.intent(m.group(1))
                later = self.finish_challenge(pi, outcome)
                answer = API.public_intent(pi)
                return_url = API.intent_state.get(pi["id"], {}).get("return_url")
            # Delivered before answering (Stripe sends them asynchronously), so
            # a test sees the shop's reaction as soon as this call returns.
            deliveries = [API.deliver(r) for r in later]
            answer["_fake"] = {"return_url": return_url, "webhook_deliveries": deliveries,
                               "events": [r["event"]["id"] for r in later]}
            return self.send(200, answer)
        if path == "/_fake/requests":
            with API.lock:
                if method == "DELETE":
                    API.requests.clear()
                return self.send(200, {"requests": copy.deepcopy(API.requests)})
        if path == "/_fake/state":
            with API.lock:
                return self.send(200, {"payment_intents": len(API.intents), "payment_methods": len(API.methods),
                                       "charges": len(API.charges), "refunds": len(API.refunds),
                                       "events": len(API.events), "requests": len(API.requests),
                                       "intents": {k: v["status"] for k, v in API.intents.items()}})
        if path == "/_fake/events":
            with API.lock:
                return self.send(200, {"events": copy.deepcopy(API.events)})
        if path == "/_fake/send_event" and method == "POST":
            with API.lock:
                found = [r for r in API.events if r["event"]["id"] == body.get("id")]
            if not found:
                raise invalid("no such event", "resource_missing", "id", status=404)
            result = API.deliver(found[0], bad_signature=body.get("signature") == "bad")
            return self.send(200, {"delivery": result})
        if path == "/_fake/idempotency/clear" and method == "POST":
            with API.lock:
                API.idem.clear()
            return self.send(200, {"cleared": True})
        raise invalid("no such fake route: %s %s" % (method, path), status=404)


CHALLENGE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>3D Secure test page (fake Stripe)</title></head>
<body style="font-family: sans-serif; max-width: 30em; margin: 3em auto">
<h1>3D Secure 2 test authentication</h1>
<p>This fake stands in for the card issuer's challenge.</p>
<button id="complete">Complete authentication</button>
<button id="fail">Fail authentication</button>
<script>
function finish(outcome) {
  fetch('/_fake/3ds/{{PI}}/complete?outcome=' + outcome, {method: 'POST'}).then(r => r.json()).then(pi => {
    var back = pi._fake && pi._fake.return_url;
    if (back) {
      var u = new URL(back);
      u.searchParams.set('payment_intent', pi.id);
      u.searchParams.set('payment_intent_client_secret', pi.client_secret);
      u.searchParams.set('redirect_status', pi.status === 'requires_payment_method' ? 'failed' : 'succeeded');
      location.href = u.toString();
    } else {
      document.body.insertAdjacentHTML('beforeend', '<p id="done">' + pi.status + '</p>');
    }
  });
}
document.getElementById('complete').onclick = function () { finish('succeed'); };
document.getElementById('fail').onclick = function () { finish('fail'); };
</script></body></html>
"""


# The Stripe.js v3 stand-in: the subset the storefront uses, with Stripe's
# method names and result shapes. Its card element is a real <input> in the
# page (Stripe's is an iframe) whose value goes only to this fake
# (POST /v1/payment_methods with the publishable key), never to the shop:
# the inputs have no name, so a surrounding form cannot submit them.
#   Stripe(publishableKey) -> stripe
#   stripe.elements() -> elements; elements.create('card') -> card element
#   element.mount(selectorOrElement), .on('change'|'ready'|'focus'|'blur', cb),
#     .off(event, cb), .clear(), .focus(), .blur(), .update(), .unmount(), .destroy()
#     change events: {elementType: 'card', empty, complete, brand, error?: {type, code, message}}
#   stripe.createPaymentMethod({type: 'card', card: element, billing_details})
#     (or the older ('card', element, {billing_details}))
#     -> {paymentMethod: {id, object, type, card: {brand, last4, exp_month, exp_year}, billing_details}}
#      | {error: {type, code, message, param?}}
#   stripe.handleNextAction({clientSecret}), stripe.handleCardAction(clientSecret),
#   stripe.confirmCardPayment(clientSecret[, {payment_method}])
#     -> shows a dialog (role=dialog, "Complete authentication" / "Fail authentication")
#        when the PaymentIntent requires_action, then
#     -> {paymentIntent: {id, status, amount, currency, ...}} | {error: {type, code, message, payment_intent}}
#   stripe.retrievePaymentIntent(clientSecret) -> {paymentIntent} | {error}
STRIPE_JS = r"""
(function () {
  'use strict';
  var script = document.currentScript;
  var API = script && script.src ? new URL(script.src).origin : location.origin;

  function encode(obj, prefix, out) {
    out = out || [];
    Object.keys(obj).forEach(function (k) {
      var v = obj[k], key = prefix ? prefix + '[' + k + ']' : k;
      if (v === undefined || v === null) return;
      if (typeof v === 'object') encode(v, key, out);
      else out.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(v)));
    });
    return out.join('&');
  }

  function request(key, method, path, params) {
    var url = API + path, opts = {method: method, headers: {'Authorization': 'Bearer ' + key}};
    if (method === 'GET') { if (params) url += '?' + encode(params); }
    else {
      opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      opts.body = encode(params || {});
    }
    return fetch(url, opts).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    }, function (e) {
      return {status: 0, body: {error: {type: 'api_connection_error', message: 'Could not reach Stripe: ' + e}}};
    });
  }

  function luhn(d) {
    var sum = 0, dbl = false;
    for (var i = d.length - 1; i >= 0; i--) {
      var v = d.charCodeAt(i) - 48;
      if (dbl) { v *= 2; if (v > 9) v -= 9; }
      sum += v; dbl = !dbl;
    }
    return sum % 10 === 0;
  }
  function brandOf(d) {
    if (/^4/.test(d)) return 'visa';
    if (/^3[47]/.test(d)) return 'amex';
    if (/^(5[1-5]|2[2-7])/.test(d)) return 'mastercard';
    if (/^(6011|65)/.test(d)) return 'discover';
    if (/^35/.test(d)) return 'jcb';
    if (/^3[068]/.test(d)) return 'diners';
    return 'unknown';
  }

  // ---- the card element ----
  function CardElement(options) {
    this.options = options || {};
    this.handlers = {};
    this.root = null;
  }
  CardElement.prototype._emit = function (name, ev) {
    (this.handlers[name] || []).slice().forEach(function (cb) { cb(ev); });
  };
  CardElement.prototype.on = function (name, cb) {
    (this.handlers[name] = this.handlers[name] || []).push(cb);
    return this;
  };
  CardElement.prototype.off = function (name, cb) {
    if (this.handlers[name]) this.handlers[name] = cb ? this.handlers[name].filter(function (h) { return h !== cb; }) : [];
    return this;
  };
  CardElement.prototype._values = function () {
    var q = function (sel) { return this.root ? this.root.querySelector(sel).value : ''; }.bind(this);
    var exp = q('.__PrivateStripeElement-exp').replace(/\s/g, '').split('/');
    return {number: q('.__PrivateStripeElement-number').replace(/[\s-]/g, ''), month: exp[0] || '',
            year: exp[1] || '', cvc: q('.__PrivateStripeElement-cvc').trim()};
  };
  // Stripe's own client-side checks and codes (validation_error).
  CardElement.prototype._validate = function () {
    var v = this._values();
    var err = function (code, message) { return {type: 'validation_error', code: code, message: message}; };
    if (!v.number) return err('incomplete_number', 'Your card number is incomplete.');
    if (!/^\d+$/.test(v.number) || v.number.length < 12) return err('incomplete_number', 'Your card number is incomplete.');
    if (!luhn(v.number)) return err('invalid_number', 'Your card number is invalid.');
    if (!/^\d{1,2}$/.test(v.month) || !/^\d{2,4}$/.test(v.year))
      return err('incomplete_expiry', "Your card's expiration date is incomplete.");
    var m = parseInt(v.month, 10), y = parseInt(v.year, 10);
    if (y < 100) y += 2000;
    var now = new Date();
    if (m < 1 || m > 12) return err('invalid_expiry_month', "Your card's expiration date is invalid.");
    if (y < now.getFullYear() || (y === now.getFullYear() && m < now.getMonth() + 1))
      return err('invalid_expiry_year_past', "Your card's expiration year is in the past.");
    if (!/^\d{3,4}$/.test(v.cvc)) return err('incomplete_cvc', "Your card's security code is incomplete.");
    return null;
  };
  CardElement.prototype.mount = function (target) {
    var host = typeof target === 'string' ? document.querySelector(target) : target;
    if (!host) throw new Error('IntegrationError: the selector you specified (' + target + ') applies to no DOM elements.');
    var root = document.createElement('div');
    root.className = 'StripeElement StripeElement--empty';
    root.setAttribute('data-fake-stripe', 'card');
    root.style.display = 'flex';
    root.style.gap = '0.5em';
    var mk = function (cls, placeholder, auto, label, size) {
      var i = document.createElement('input');
      i.className = cls; i.placeholder = placeholder; i.autocomplete = auto; i.inputMode = 'numeric';
      i.setAttribute('aria-label', label); i.size = size;
      root.appendChild(i);
      return i;
    };
    mk('__PrivateStripeElement-number', 'Card number', 'cc-number', 'Card number', 20);
    mk('__PrivateStripeElement-exp', 'MM / YY', 'cc-exp', 'Expiration date', 7);
    mk('__PrivateStripeElement-cvc', 'CVC', 'cc-csc', 'CVC', 4);
    var self = this;
    root.addEventListener('input', function () {
      var v = self._values(), empty = !v.number && !v.month && !v.cvc, error = self._validate();
      root.className = 'StripeElement' + (empty ? ' StripeElement--empty' : '') + (error ? '' : ' StripeElement--complete');
      self._emit('change', {elementType: 'card', empty: empty, complete: !error, brand: brandOf(v.number),
                            value: {postalCode: ''}, error: error && v.number.length >= 16 ? error : undefined});
    });
    root.addEventListener('focusin', function () { self._emit('focus', {elementType: 'card'}); });
    root.addEventListener('focusout', function () { self._emit('blur', {elementType: 'card'}); });
    host.appendChild(root);
    this.root = root;
    setTimeout(function () { self._emit('ready', {elementType: 'card'}); }, 0);
    return this;
  };
  CardElement.prototype.clear = function () {
    if (this.root) Array.prototype.forEach.call(this.root.querySelectorAll('input'), function (i) { i.value = ''; });
  };
  CardElement.prototype.focus = function () { if (this.root) this.root.querySelector('input').focus(); };
  CardElement.prototype.blur = function () { if (document.activeElement) document.activeElement.blur(); };
  CardElement.prototype.update = function (options) { Object.assign(this.options, options || {}); };
  CardElement.prototype.unmount = function () { if (this.root && this.root.parentNode) this.root.parentNode.removeChild(this.root); };
  CardElement.prototype.destroy = function () { this.unmount(); this.root = null; this.handlers = {}; this.destroyed = true; };

  function Elements(options) { this.options = options || {}; this.created = {}; }
  Elements.prototype.create = function (type, options) {
    if (type !== 'card') throw new Error('IntegrationError: this Stripe.js stand-in only makes card elements');
    if (this.created.card && !this.created.card.destroyed)
      throw new Error('IntegrationError: Can only create one Element of type card.');
    return (this.created.card = new CardElement(options));
  };
  Elements.prototype.getElement = function (type) {
    var el = this.created[type];
    return el && !el.destroyed ? el : null;
  };

  // ---- the 3-D Secure challenge ----
  function challenge(pi) {
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.id = '__fake_stripe_3ds';
      overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.5);display:flex;align-items:center;' +
        'justify-content:center;z-index:2147483647';
      var box = document.createElement('div');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.setAttribute('aria-label', '3D Secure authentication');
      box.style.cssText = 'background:#fff;color:#000;padding:1.5em;border-radius:6px;max-width:24em;font-family:sans-serif';
      box.innerHTML = '<h2 style="margin-top:0">3D Secure 2 test authentication</h2>' +
        '<p>Test payment: your bank asks you to confirm it.</p>';
      var ok = document.createElement('button'), no = document.createElement('button');
      ok.type = no.type = 'button';
      ok.textContent = 'Complete authentication';
      no.textContent = 'Fail authentication';
      no.style.marginLeft = '0.5em';
      box.appendChild(ok); box.appendChild(no);
      overlay.appendChild(box);
      document.body.appendChild(overlay);
      ok.focus();
      var done = function (outcome) {
        ok.disabled = no.disabled = true;
        fetch(API + '/_fake/3ds/' + encodeURIComponent(pi.id) + '/complete?outcome=' + outcome, {method: 'POST'})
          .then(function (r) { return r.json(); })
          .then(function (after) { overlay.remove(); resolve(after); },
                function () { overlay.remove(); resolve(null); });
      };
      ok.onclick = function () { done('succeed'); };
      no.onclick = function () { done('fail'); };
    });
  }

  function publicIntent(pi) {
    var out = {};
    Object.keys(pi).forEach(function (k) { if (k !== '_fake') out[k] = pi[k]; });
    return out;
  }
  function outcomeOf(pi) {
    if (!pi) return {error: {type: 'api_connection_error', message: 'The authentication did not finish.'}};
    if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
      var e = pi.last_payment_error;
      return {error: {type: e.type || 'card_error', code: e.code, decline_code: e.decline_code,
                      message: e.message, payment_intent: publicIntent(pi)}};
    }
    return {paymentIntent: publicIntent(pi)};
  }
  function idOf(clientSecret) {
    var m = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(clientSecret || '');
    return m && m[1];
  }

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (!publishableKey || !/^pk_/.test(publishableKey))
      throw new Error('IntegrationError: Invalid value for Stripe(): apiKey should be a publishable key (pk_...).');
    this._key = publishableKey;
  }
  Stripe.prototype.elements = function (options) { return new Elements(options); };

  Stripe.prototype.createPaymentMethod = function (a, b, c) {
    var data = typeof a === 'string' ? Object.assign({type: a, card: b}, c || {}) : (a || {});
    var card = data.card || data.element;
    if (data.type !== 'card' || !(card instanceof CardElement) || !card.root)
      return Promise.resolve({error: {type: 'validation_error', code: 'invalid_request',
                                      message: 'createPaymentMethod needs {type: "card", card: <mounted card element>}.'}});
    var bad = card._validate();
    if (bad) return Promise.resolve({error: bad});
    var v = card._values();
    var params = {type: 'card', card: {number: v.number, exp_month: v.month, exp_year: v.year, cvc: v.cvc}};
    if (data.billing_details) params.billing_details = data.billing_details;
    return request(this._key, 'POST', '/v1/payment_methods', params).then(function (r) {
      if (r.body.error) return {error: r.body.error};
      return {paymentMethod: r.body};
    });
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var id = idOf(clientSecret);
    if (!id) return Promise.resolve({error: {type: 'invalid_request_error', code: 'payment_intent_invalid_parameter',
                                             message: 'Invalid value for clientSecret.'}});
    return request(this._key, 'GET', '/v1/payment_intents/' + id, {client_secret: clientSecret}).then(function (r) {
      return r.body.error ? {error: r.body.error} : {paymentIntent: r.body};
    });
  };

  Stripe.prototype._handle = function (clientSecret, strict) {
    return this.retrievePaymentIntent(clientSecret).then(function (res) {
      if (res.error) return res;
      var pi = res.paymentIntent;
      if (pi.status === 'requires_action') return challenge(pi).then(outcomeOf);
      if (strict && pi.status !== 'processing' && pi.status !== 'succeeded' && pi.status !== 'requires_capture')
        return {error: {type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
                        message: 'The PaymentIntent does not require an action (status ' + pi.status + ').',
                        payment_intent: pi}};
      return outcomeOf(pi);
    });
  };
  Stripe.prototype.handleNextAction = function (options) {
    return this._handle(options && options.clientSecret, true);
  };
  Stripe.prototype.handleCardAction = function (clientSecret) { return this._handle(clientSecret, true); };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data, options) {
    var self = this, id = idOf(clientSecret);
    if (!id) return Promise.resolve({error: {type: 'invalid_request_error', code: 'payment_intent_invalid_parameter',
                                             message: 'Invalid value for clientSecret.'}});
    var handle = !(options && options.handleActions === false);
    return this.retrievePaymentIntent(clientSecret).then(function (res) {
      if (res.error) return res;
      var pi = res.paymentIntent;
      if (pi.status !== 'requires_confirmation' && pi.status !== 'requires_payment_method')
        return pi.status === 'requires_action' && handle ? self._handle(clientSecret, false) : outcomeOf(pi);
      var params = {client_secret: clientSecret, use_stripe_sdk: 'true'};
      if (data && typeof data.payment_method === 'string') params.payment_method = data.payment_method;
      return request(self._key, 'POST', '/v1/payment_intents/' + id + '/confirm', params).then(function (r) {
        if (r.body.error) return {error: r.body.error};
        if (r.body.status === 'requires_action' && handle) return self._handle(clientSecret, false);
        return outcomeOf(r.body);
      });
    });
  };

  window.Stripe = Stripe;
})();
"""


def main():
    global API
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--secret", default="sk_test_fake")
    ap.add_argument("--publishable", default=None, help="the only pk_ key accepted (default: any pk_...)")
    ap.add_argument("--webhook-secret", default="whsec_fake")
    ap.add_argument("--webhook-url", default="")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    API = FakeStripe(args.secret, args.webhook_secret, args.publishable)
    API.webhook_url = args.webhook_url
    API.verbose = args.verbose
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
