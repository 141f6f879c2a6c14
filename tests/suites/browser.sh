#!/usr/bin/env bash
# Browser tests of the storefront and admin: Debian's chromium driven by
# playwright-core (node's test runner) against a real shopbox server with a
# seeded catalog. Usage: tests/suites/browser.sh <path-to-shopbox-binary>
# Screenshots land in tests/browser/output/ (desktop and phone width).
# BROWSER_TESTS=tests/catalog.test.mjs runs one file (default: all).
set -euo pipefail
bin="$(realpath "${1:?usage: browser.sh <shopbox binary>}")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/tests/browser"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "browser.sh: /usr/bin/chromium is missing (scripts/install-deps installs it)" >&2
  exit 1
fi
if [[ ! -f node_modules/playwright-core/package.json ]]; then
  # playwright-core never downloads a browser; the tests use /usr/bin/chromium.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline >/dev/null
fi

data="$(mktemp -d)"
log="$data/server.log"
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$data"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # url log
  for _ in $(seq 1 100); do
    curl -fsS "$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "browser.sh: the server at $1 did not start" >&2
  cat "$2" >&2
  exit 1
}

# A real SMTP server (aiosmtpd): every mail the shop sends lands in $mail
# as an .eml file, where the tests read reset links and order codes.
py=python3
python3 -c 'import aiosmtpd' 2>/dev/null || py=/usr/bin/python3
mail="$data/mail"
smtp_port="$(free_port)"
"$py" "$root/tests/email/smtp_sink.py" "$mail" "$smtp_port" >"$data/smtp.log" 2>&1 &
pids+=($!)

"$bin" init --data-dir "$data/shop" >/dev/null
token="$("$bin" token create --admin --label browser-tests --data-dir "$data/shop")"
admin_email="admin@shop.test"
admin_password="admin password for tests"
if "$bin" user create --help >/dev/null 2>&1; then
  echo "$admin_password" | "$bin" user create --admin --email "$admin_email" --first-name Ada --last-name Admin \
    --password-stdin --data-dir "$data/shop" >/dev/null
fi
port="$(free_port)"
url="http://127.0.0.1:$port"
# wished products are checked every second (default 30) so a price drop shows up at once
SHOPBOX_WISHLIST_WATCH_SECONDS=1 SHOPBOX_SHOP_PUBLIC_URL="$url" SHOPBOX_EMAIL_SMTP_URL="smtp://127.0.0.1:$smtp_port" \
  SHOPBOX_EMAIL_FROM="Browser Shop <shop@shop.test>" \
  "$bin" serve --data-dir "$data/shop" --listen 127.0.0.1 --port "$port" 2>"$log" &
pids+=($!)
wait_ready "$url" "$log"

# A second shop that takes cards through Stripe: the local fake of Stripe's
# API (tests/fakes/fake_stripe.py) with its Stripe.js stand-in, which the
# storefront loads as it would load js.stripe.com.
stripe_port="$(free_port)"
stripe_shop_port="$(free_port)"
stripe_url="http://127.0.0.1:$stripe_shop_port"
python3 "$root/tests/fakes/fake_stripe.py" --port "$stripe_port" --secret sk_test_browser \
  --publishable pk_test_browser --webhook-secret whsec_browser \
  --webhook-url "$stripe_url/api/v1/payments/stripe/webhook" >"$data/stripe.log" 2>&1 &
pids+=($!)
"$bin" init --data-dir "$data/stripe-shop" >/dev/null
stripe_token="$("$bin" token create --admin --label browser-tests --data-dir "$data/stripe-shop")"
SHOPBOX_SHOP_PUBLIC_URL="$stripe_url" SHOPBOX_PAYMENTS_GATEWAY=stripe SHOPBOX_PAYMENTS_STRIPE_SECRET_KEY=sk_test_browser \
  SHOPBOX_PAYMENTS_STRIPE_PUBLISHABLE_KEY=pk_test_browser SHOPBOX_PAYMENTS_STRIPE_WEBHOOK_SECRET=whsec_browser \
  SHOPBOX_PAYMENTS_STRIPE_API_BASE="http://127.0.0.1:$stripe_port" \
  SHOPBOX_PAYMENTS_STRIPE_JS_URL="http://127.0.0.1:$stripe_port/v3/" \
  "$bin" serve --data-dir "$data/stripe-shop" --listen 127.0.0.1 --port "$stripe_shop_port" 2>"$data/stripe-shop.log" &
pids+=($!)
wait_ready "$stripe_url" "$data/stripe-shop.log"
echo "browser.sh: shop at $url"
node seed.mjs "$url" "$token"
mkdir -p output
status=0
SHOPBOX_MAIL_DIR="$mail" SHOPBOX_STRIPE_SHOP_URL="$stripe_url" SHOPBOX_STRIPE_SHOP_TOKEN="$stripe_token" \
  SHOPBOX_STRIPE_FAKE_URL="http://127.0.0.1:$stripe_port" SHOPBOX_URL="$url" SHOPBOX_ADMIN_TOKEN="$token" SHOPBOX_ADMIN_EMAIL="$admin_email" SHOPBOX_ADMIN_PASSWORD="$admin_password" \
  timeout 600 node --test --test-concurrency=1 --test-reporter=spec ${BROWSER_TESTS:-tests/} || status=$?
if ((status != 0)); then
  echo "browser.sh: failed; server log tail:" >&2
  tail -40 "$log" >&2
fi
exit $status
