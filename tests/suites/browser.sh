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
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"$bin" init --data-dir "$data/shop" >/dev/null
token="$("$bin" token create --admin --label browser-tests --data-dir "$data/shop")"
admin_email="admin@shop.test"
admin_password="admin password for tests"
if "$bin" user create --help >/dev/null 2>&1; then
  echo "$admin_password" | "$bin" user create --admin --email "$admin_email" --first-name Ada --last-name Admin \
    --password-stdin --data-dir "$data/shop" >/dev/null
fi
# wished products are checked every second (default 30) so a price drop shows up at once
SHOPBOX_WISHLIST_WATCH_SECONDS=1 "$bin" serve --data-dir "$data/shop" --listen 127.0.0.1 --port 0 2>"$log" &
pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)"
  [[ -n "$url" ]] && curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  url=""
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "browser.sh: the server did not start" >&2
  cat "$log" >&2
  exit 1
fi
echo "browser.sh: shop at $url"
node seed.mjs "$url" "$token"
mkdir -p output
status=0
SHOPBOX_URL="$url" SHOPBOX_ADMIN_TOKEN="$token" SHOPBOX_ADMIN_EMAIL="$admin_email" SHOPBOX_ADMIN_PASSWORD="$admin_password" \
  timeout 600 node --test --test-concurrency=1 --test-reporter=spec ${BROWSER_TESTS:-tests/} || status=$?
if ((status != 0)); then
  echo "browser.sh: failed; server log tail:" >&2
  tail -40 "$log" >&2
fi
exit $status
