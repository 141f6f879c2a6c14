#!/usr/bin/env bash
# Email suite: a real SMTP server (aiosmtpd) and a real shop; content of
# the order mails, exactly once across kill -9 rounds, SMTP down -> retries
# -> dead letter -> admin retry (tests/email/email_suite.py).
# Usage: tests/suites/email.sh <shopbox binary> [kill rounds]
# Bounded: about a minute.
set -euo pipefail
bin="$(realpath "${1:?usage: email.sh <shopbox binary> [rounds]}")"
cd "$(dirname "$0")/../.."
# aiosmtpd comes from Debian (python3-aiosmtpd): the system python has it
# even when another python3 is first on PATH.
py=python3
python3 -c 'import aiosmtpd' 2>/dev/null || py=/usr/bin/python3
"$py" -c 'import aiosmtpd' || { echo "email.sh: python3-aiosmtpd is not installed" >&2; exit 1; }
timeout 170 python3 tests/email/email_suite.py "$bin" "$py" "${2:-5}"
