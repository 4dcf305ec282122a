#!/usr/bin/env bash
# Installs what the queue-mode test needs from Debian packages, once: Redis and PostgreSQL.
# Idempotent: does nothing when both are present. Needs root (or sudo) and the Debian mirror.
# Used by test/e2e/queue-mode.test.ts (FEISHU_TEST_QUEUE=1); safe to run by hand.
set -euo pipefail

have_redis() { command -v redis-server >/dev/null 2>&1; }
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

if have_redis && have_pg; then
	echo "queue setup: redis-server and postgresql already installed"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "queue setup: need root (or sudo) to apt-get install redis-server postgresql" >&2
		exit 1
	fi
fi

pkgs=()
have_redis || pkgs+=(redis-server)
have_pg || pkgs+=(postgresql)

# Another apt run may hold the dpkg lock for a while: wait for it rather than fail.
for attempt in $(seq 1 30); do
	if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=60 "${pkgs[@]}"; then
		break
	fi
	if [ "$attempt" -eq 1 ]; then $SUDO apt-get update -o DPkg::Lock::Timeout=60 || true; fi
	if [ "$attempt" -eq 30 ]; then exit 1; fi
	sleep 5
done

# The packages start system services; the test runs its own instances in temp dirs instead.
for svc in redis-server postgresql; do
	$SUDO service "$svc" stop >/dev/null 2>&1 || true
done
have_redis && have_pg && echo "queue setup: installed ${pkgs[*]}"
