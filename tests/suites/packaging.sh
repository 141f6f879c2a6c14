#!/usr/bin/env bash
# The packages a merchant installs: builds the .deb and .rpm with
# scripts/package (reusing build/release), checks their contents and
# dependencies, then installs the .deb on this machine with dpkg and runs
# the service the way its systemd unit does (as the shopbox user, with the
# unit's ExecStart and NOTIFY_SOCKET), upgrades, removes and purges it.
# Usage: tests/suites/packaging.sh path/to/shopbox   (bounded: ~1-2 min)
set -euo pipefail
BIN="$(readlink -f "${1:-build/release/shopbox}")"
cd "$(dirname "$0")/../.."
WORK="$(mktemp -d /tmp/shopbox-pkg-suite.XXXXXX)"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
  [[ -n "${NOTIFY_PID:-}" ]] && kill "$NOTIFY_PID" 2>/dev/null || true
  if [[ "${INSTALLED:-0}" == 1 ]]; then dpkg -P shopbox >/dev/null 2>&1 || true; fi
  rm -rf "$WORK" /var/backups/shopbox-suite-test
  [[ "${INSTALLED:-0}" == 1 ]] && rm -rf /var/backups/shopbox
  true
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }

version="$(sed -n 's/^project(shopbox VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
DEB="build/release/packages/shopbox_${version}_amd64.deb"
RPM="build/release/packages/shopbox-${version}.x86_64.rpm"

# ---- build ----
t0=$(date +%s)
scripts/package all >"$WORK/package.out" || { cat "$WORK/package.out"; fail "scripts/package"; }
[[ -f "$DEB" && -f "$RPM" ]] || fail "missing $DEB or $RPM"
ok "scripts/package built $(basename "$DEB") ($(stat -c %s "$DEB") bytes) and $(basename "$RPM") ($(stat -c %s "$RPM") bytes) in $(( $(date +%s) - t0 )) s"

# ---- .deb contents ----
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$WORK/deb.files"
for f in /usr/bin/shopbox /etc/shopbox/shopbox.toml /usr/lib/systemd/system/shopbox.service \
         /usr/share/doc/shopbox/install.md /usr/share/doc/shopbox/scale-out.md /usr/share/doc/shopbox/examples/haproxy.cfg.in; do
  grep -qx "$f" "$WORK/deb.files" || fail ".deb lacks $f"
done
! grep -q '^/var/lib/shopbox' "$WORK/deb.files" || fail ".deb ships data"
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/shopbox/shopbox.toml || fail "shopbox.toml is not a conffile"
depends="$(dpkg-deb -f "$DEB" Depends)"
for lib in libsqlite3-0 liblmdb0 libssl3 libcpp-httplib0.11; do
  [[ "$depends" == *"$lib"* ]] || fail ".deb Depends lacks $lib: $depends"
done
if ldd "$BIN" | grep -q xapian; then [[ "$depends" == *libxapian30* ]] || fail ".deb Depends lacks libxapian30"; fi
for name in $(echo "$depends" | tr ',|' '\n\n' | awk '{print $1}'); do
  [[ ! "$name" =~ (-dev$|^gcc(-[0-9]+)?$|^g\+\+|^cpp(-[0-9]+)?$|^cmake$|^make$|^build-essential$|^pkg-config$|^ccache$) ]] \
    || fail ".deb depends on build tool $name"
done
for s in postinst prerm postrm; do dpkg-deb -I "$DEB" "$s" | sh -n || fail "$s syntax"; done
[[ "$(dpkg-deb -f "$DEB" Version)" == "$version" ]] || fail ".deb version $(dpkg-deb -f "$DEB" Version)"
ok ".deb: layout, conffile, Depends = $depends"

# ---- .rpm contents ----
rpm -qpl "$RPM" >"$WORK/rpm.files" 2>/dev/null
for f in /usr/bin/shopbox /etc/shopbox/shopbox.toml /usr/lib/systemd/system/shopbox.service \
         /usr/share/doc/shopbox/scale-out.md /usr/share/doc/shopbox/examples/haproxy.cfg.in; do
  grep -qx "$f" "$WORK/rpm.files" || fail ".rpm lacks $f"
done
[[ "$(rpm -qpc "$RPM" 2>/dev/null)" == /etc/shopbox/shopbox.toml ]] || fail ".rpm config files: $(rpm -qpc "$RPM")"
rpm -qpR "$RPM" >"$WORK/rpm.req" 2>/dev/null
for so in 'libsqlite3.so.0()(64bit)' 'liblmdb.so.0()(64bit)' 'libcrypto.so.3()(64bit)' 'libcpp-httplib.so.0.11()(64bit)'; do
  grep -qxF "$so" "$WORK/rpm.req" || fail ".rpm does not require $so"
done
! grep -Eq -- '-devel|^gcc|^cmake|^make' "$WORK/rpm.req" || fail ".rpm requires build tools"
[[ "$(rpm -qp --qf '%{VERSION} %{ARCH}' "$RPM" 2>/dev/null)" == "$version x86_64" ]] || fail ".rpm version/arch"
rpm -qp --scripts "$RPM" 2>/dev/null | grep -q "useradd --system" || fail ".rpm %post creates no user"
for s in pre post preun postun; do
  rpm -qp --qf "%{${s^^}IN}" "$RPM" 2>/dev/null | sed '/^(none)$/d' | sh -n || fail ".rpm %$s syntax"
done
# Install into a scratch root (no scripts: there is no RPM distribution
# here): layout, an edited %config(noreplace) file kept by an upgrade.
RROOT="$WORK/rpmroot"
mkdir -p "$RROOT"
rpm --root "$RROOT" --initdb 2>/dev/null
rpm --root "$RROOT" -i --nodeps --noscripts "$RPM" >/dev/null 2>&1 || fail "rpm -i into a scratch root"
[[ -x "$RROOT/usr/bin/shopbox" && -f "$RROOT/usr/lib/systemd/system/shopbox.service" ]] || fail "rpm install layout"
echo "# edited" >>"$RROOT/etc/shopbox/shopbox.toml"
rpm --root "$RROOT" -U --replacepkgs --nodeps --noscripts "$RPM" >/dev/null 2>&1 || fail "rpm -U"
tail -1 "$RROOT/etc/shopbox/shopbox.toml" | grep -qx "# edited" || fail "rpm -U replaced the edited config"
rpm --root "$RROOT" -e --nodeps --noscripts shopbox >/dev/null 2>&1 || fail "rpm -e"
[[ ! -e "$RROOT/usr/bin/shopbox" ]] || fail "rpm -e left the binary"
ok ".rpm: layout, %config(noreplace) shopbox.toml kept across rpm -U, requires $(grep -c '^lib' "$WORK/rpm.req") library symbols"

# ---- install on this machine ----
if [[ $(id -u) -ne 0 ]]; then
  echo "skip - dpkg -i needs root"
  echo "packaging suite: $pass passed, 0 failed"
  exit 0
fi
# One installer at a time on this machine (other worktrees run this suite too).
exec 9>/tmp/shopbox-packaging-suite.lock
flock -w 600 9 || fail "another packaging suite run holds /tmp/shopbox-packaging-suite.lock"
if dpkg -s shopbox >/dev/null 2>&1; then dpkg -P shopbox >/dev/null; fi

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 12000 ))  # below the kernel's ephemeral range (32768+)
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port"
}

UNIT=/usr/lib/systemd/system/shopbox.service
# The service as systemd starts it: ExecStart as User=, NOTIFY_SOCKET set.
start_service() {  # sets SERVER_PID, waits for READY=1 or /readyz
  local exec_start
  exec_start="$(sed -n 's/^ExecStart=//p' "$UNIT")"
  rm -f "$WORK/notify.sock" "$WORK/notify.out"
  NOTIFY_PID=""
  if command -v python3 >/dev/null; then
    python3 - "$WORK/notify.sock" "$WORK/notify.out" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)
s.settimeout(20)
with open(sys.argv[2], "a") as out:
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        out.write(msg + "\n"); out.flush()
        if "STOPPING=1" in msg:
            break
PY
    NOTIFY_PID=$!
    for _ in $(seq 1 50); do [[ -S "$WORK/notify.sock" ]] && break; sleep 0.05; done
    chmod 755 "$WORK"
  fi
  # shellcheck disable=SC2086
  setpriv --reuid=shopbox --regid=shopbox --init-groups -- env NOTIFY_SOCKET="$WORK/notify.sock" $exec_start 2>>"$WORK/service.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/service.log"; fail "service exited"; }
    sleep 0.05
  done
  cat "$WORK/service.log"
  fail "service not ready on :$PORT"
}
stop_service() {
  kill -TERM "$SERVER_PID"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  [[ $rc == 0 ]] || fail "service exit code $rc after SIGTERM"
  [[ -n "${NOTIFY_PID:-}" ]] && wait "$NOTIFY_PID" 2>/dev/null || true
}

t_install=$(date +%s%N)
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$WORK/dpkg.out" 2>&1 || { cat "$WORK/dpkg.out"; fail "dpkg -i"; }
INSTALLED=1
t_installed=$(date +%s%N)
getent passwd shopbox | grep -q ':/var/lib/shopbox:/usr/sbin/nologin$' || fail "no shopbox system user"
[[ "$(stat -c '%U:%G %a' /var/lib/shopbox)" == "shopbox:shopbox 750" ]] || fail "/var/lib/shopbox: $(stat -c '%U:%G %a' /var/lib/shopbox)"
[[ "$(stat -c '%U:%G %a' /etc/shopbox/shopbox.toml)" == "root:shopbox 640" ]] || fail "config perms"
/usr/bin/shopbox version | grep -qx "shopbox $version" || fail "installed binary is not $version"
/usr/bin/shopbox config check /etc/shopbox/shopbox.toml | grep -q "data_dir /var/lib/shopbox" || fail "packaged config"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$UNIT" >"$WORK/verify.out" 2>&1 || { cat "$WORK/verify.out"; fail "systemd-analyze verify"; }
  ! grep -qi "unknown\|ignoring" "$WORK/verify.out" || { cat "$WORK/verify.out"; fail "unit warnings"; }
  [[ -L /etc/systemd/system/multi-user.target.wants/shopbox.service ]] || fail "unit not enabled"
fi
ok "dpkg -i: shopbox user, /var/lib/shopbox 0750, config root:shopbox 0640, unit verified and enabled"

# The merchant edits the config (a conffile): pick a free port.
PORT="$(free_port)"
sed -i "s/^# port = 8080$/port = $PORT/" /etc/shopbox/shopbox.toml
grep -q "^port = $PORT$" /etc/shopbox/shopbox.toml || fail "edit config"
t_start=$(date +%s%N)
start_service
t_ready=$(date +%s%N)
[[ "$(stat -c %U /var/lib/shopbox/shop.db)" == shopbox ]] || fail "data not owned by shopbox"
if [[ -n "$NOTIFY_PID" ]]; then grep -q "READY=1" "$WORK/notify.out" || fail "no READY=1 on NOTIFY_SOCKET"; fi
ok "first start initialised /var/lib/shopbox: dpkg -i took $(( (t_installed - t_install) / 1000000 )) ms, start to first /readyz $(( (t_ready - t_start) / 1000000 )) ms"

TOKEN="$(runuser -u shopbox -- /usr/bin/shopbox token create --admin --config /etc/shopbox/shopbox.toml)"
AUTH=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json")
BASE="http://127.0.0.1:$PORT"
CAT="$(curl -sf "${AUTH[@]}" -d '{"name":"Tea"}' "$BASE/api/v1/admin/categories" | sed 's/.*"category_id":"\([0-9]*\)".*/\1/')"
PID="$(curl -sf "${AUTH[@]}" -d "{\"name\":\"Green tea\",\"category_id\":\"$CAT\",\"price\":4.5,\"stock\":12}" "$BASE/api/v1/admin/products" | sed 's/.*"product_id":"\([0-9]*\)".*/\1/')"
curl -sf "$BASE/api/v1/products/$PID" | grep -q '"Green tea"' || fail "product not served"
# The admin account of docs/install.md step 5, then a sign-in over HTTP.
printf 'correct horse battery staple\n' | runuser -u shopbox -- /usr/bin/shopbox user create --admin \
  --email owner@example.com --password-stdin --config /etc/shopbox/shopbox.toml >/dev/null || fail "user create --admin"
curl -sf -H "Content-Type: application/json" -d '{"email":"owner@example.com","password":"correct horse battery staple"}' \
  "$BASE/api/v1/auth/login" | grep -q '"token"' || fail "admin sign-in"
# Backup as root: the command switches to the data dir's owner.
# Backup as root with no directory named: storage.backup_dir of the packaged
# config (/var/backups/shopbox/<time>); the command switches to the data
# dir's owner.
/usr/bin/shopbox backup --config /etc/shopbox/shopbox.toml >"$WORK/backup.out" || fail "backup as root"
BACKUP="$(sed -n 's/^backup of .* written to \(.*\) in .*/\1/p' "$WORK/backup.out")"
[[ "$BACKUP" == /var/backups/shopbox/20* ]] || fail "backup went to '$BACKUP'"
[[ "$(stat -c %U "$BACKUP/shop.db")" == shopbox ]] || fail "backup files not owned by shopbox"
/usr/bin/shopbox restore --verify-only "$BACKUP" >/dev/null || fail "verify the backup"
/usr/bin/shopbox check --config /etc/shopbox/shopbox.toml >/dev/null || fail "check on the installed shop"
[[ "$(stat -c %U /var/lib/shopbox/kv/lock.mdb)" == shopbox ]] || fail "root commands left root-owned files"
if /usr/bin/shopbox restore "$BACKUP" --data-dir /var/lib/shopbox --force 2>"$WORK/err"; then fail "restore under the running service"; fi
grep -q "server is running" "$WORK/err" || fail "in-use message: $(cat "$WORK/err")"
stop_service
if [[ -n "$NOTIFY_PID" ]]; then grep -q "STOPPING=1" "$WORK/notify.out" || fail "no STOPPING=1"; fi
ok "token, product, admin user + sign-in, backup and check as root while serving; SIGTERM stops with exit 0"

# docs/install.md step 7: stop, restore as root, start. A product added
# after the backup is gone; the restored tree keeps the service's owner.
/usr/bin/shopbox restore "$BACKUP" --data-dir /var/lib/shopbox --force >/dev/null || fail "restore as root"
[[ "$(stat -c '%U:%G %a' /var/lib/shopbox)" == "shopbox:shopbox 750" ]] || fail "restored dir: $(stat -c '%U:%G %a' /var/lib/shopbox)"
[[ -z "$(find /var/lib/shopbox ! -user shopbox)" ]] || fail "restored files not owned by shopbox: $(find /var/lib/shopbox ! -user shopbox)"
start_service
curl -sf "$BASE/api/v1/products/$PID" | grep -q '"Green tea"' || fail "restored shop lost the product"
/usr/bin/shopbox check --config /etc/shopbox/shopbox.toml >/dev/null || fail "check after restore"
stop_service
ok "restore as root over the stopped service (refused while it ran): owner kept, shop serves, check clean"

# ---- upgrade: over itself, then to a newer version; the edited conffile stays ----
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$WORK/dpkg2.out" 2>&1 || { cat "$WORK/dpkg2.out"; fail "reinstall"; }
mkdir -p "$WORK/repack"
dpkg-deb -R "$DEB" "$WORK/repack/root"
sed -i "s/^Version: .*/Version: ${version}+suite1/" "$WORK/repack/root/DEBIAN/control"
dpkg-deb -b "$WORK/repack/root" "$WORK/repack/newer.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "$WORK/repack/newer.deb" >"$WORK/dpkg3.out" 2>&1 || { cat "$WORK/dpkg3.out"; fail "upgrade"; }
[[ "$(dpkg-query -W -f='${Version}' shopbox)" == "${version}+suite1" ]] || fail "upgrade version"
grep -q "^port = $PORT$" /etc/shopbox/shopbox.toml || fail "upgrade overwrote the edited config"
start_service
curl -sf "$BASE/api/v1/products/$PID" | grep -q '"Green tea"' || fail "data lost across upgrade"
stop_service
ok "reinstall and upgrade to ${version}+suite1 keep the edited config and the data"

# ---- remove keeps data and config; purge deletes data, config and user ----
dpkg -r shopbox >"$WORK/dpkg4.out" 2>&1 || { cat "$WORK/dpkg4.out"; fail "dpkg -r"; }
[[ ! -e /usr/bin/shopbox ]] || fail "binary left after remove"
[[ -f /var/lib/shopbox/shop.db ]] || fail "remove deleted the data"
[[ -f /etc/shopbox/shopbox.toml ]] || fail "remove deleted the config"
getent passwd shopbox >/dev/null || fail "remove deleted the user"
ok "dpkg -r: binary gone; data, config and user kept"
dpkg -P shopbox >"$WORK/dpkg5.out" 2>&1 || { cat "$WORK/dpkg5.out"; fail "dpkg -P"; }
INSTALLED=0
[[ ! -e /var/lib/shopbox ]] || fail "purge left /var/lib/shopbox"
[[ ! -e /etc/shopbox ]] || fail "purge left /etc/shopbox"
! getent passwd shopbox >/dev/null || fail "purge left the shopbox user"
! getent group shopbox >/dev/null || fail "purge left the shopbox group"
[[ -f "$BACKUP/manifest.json" ]] || fail "purge deleted backups"
rm -rf /var/backups/shopbox
ok "dpkg -P: data, config, user and group gone; backups kept"
echo "packaging suite: $pass passed, 0 failed"
