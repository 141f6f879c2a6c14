#!/usr/bin/env bash
# Disk full and read-only data dir (tests/diskfull/diskfull.py): the data dir
# on a 48 MiB loopback ext4 image (root + loop devices), else on a 48 MiB
# tmpfs (root), else skipped with a message (no way to make a small
# filesystem without privileges).
# Usage: tests/suites/diskfull.sh <shopbox binary>
set -euo pipefail
bin="$(realpath "${1:?usage: diskfull.sh <shopbox binary>}")"
cd "$(dirname "$0")/../.."
work="$(mktemp -d /tmp/shopbox-diskfull-XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt"
kind=""
cleanup() {
  if mountpoint -q "$mnt"; then umount "$mnt" || umount -l "$mnt" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [[ "$(id -u)" == 0 ]]; then
  if truncate -s 48M "$work/fs.img" && mkfs.ext4 -q -F "$work/fs.img" >/dev/null 2>&1 &&
     mount -o loop "$work/fs.img" "$mnt" 2>/dev/null; then
    kind=ext4
  elif mount -t tmpfs -o size=48m tmpfs "$mnt" 2>/dev/null; then
    kind=tmpfs
  fi
fi
if [[ -z "$kind" ]]; then
  echo "SKIP diskfull: cannot mount a small filesystem here (needs root with loop devices or tmpfs)"
  exit 0
fi
echo "data dir on a 48 MiB $kind filesystem at $mnt"
timeout 240 python3 tests/diskfull/diskfull.py "$bin" "$mnt" "$kind"
