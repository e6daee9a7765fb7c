#!/bin/sh
# The valkey container's healthcheck: healthy once the server answers PING as the operator's
# user, which proves that it runs and that the ACL file built by start.sh is loaded.
# Environment: VALKEY_CLI (default valkey-cli), KEYFORGE_SECRETS_DIR (default /run/secrets),
# VALKEY_PORT (default 6379).
set -eu
password=$(cat "${KEYFORGE_SECRETS_DIR:-/run/secrets}/valkey-admin-password")
# The password is an argument of a process inside this container only, for a moment.
answer=$("${VALKEY_CLI:-valkey-cli}" -h 127.0.0.1 -p "${VALKEY_PORT:-6379}" \
  --user keyforge-admin --pass "$password" --no-auth-warning ping 2>&1) || true
[ "$answer" = "PONG" ] || {
  echo "valkey: $answer" >&2
  exit 1
}
