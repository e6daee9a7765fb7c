#!/bin/sh
# Starts Valkey for KeyForge: builds the ACL file from the mounted secret files, then becomes
# the server (exec), with valkey.conf and the arguments given to this script.
#
# Environment:
#   VALKEY_SERVER           server binary (default valkey-server; the tests use redis-server)
#   KEYFORGE_SECRETS_DIR    folder of the secret files (default /run/secrets, compose's)
#   KEYFORGE_VALKEY_PREFIX  key prefix of the installation (default keyforge:v1:); the same
#                           value as the KeyForge services', or their users can reach nothing
#   VALKEY_ACL_FILE         where the ACL file is written (default /tmp/keyforge-users.acl)
#   VALKEY_MAXMEMORY        replaces valkey.conf's maxmemory (e.g. 1gb)
#
# Passwords: each service's user and password come from its Valkey URL file
# (valkey-url-hive, valkey-url-assets, valkey-url-assetmgr: redis://user:password@host:port),
# the one the service itself connects with, so the two can never disagree; the operator's
# from valkey-admin-password. Only their SHA-256 reaches the ACL file.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
server=${VALKEY_SERVER:-valkey-server}
secrets=${KEYFORGE_SECRETS_DIR:-/run/secrets}
prefix=${KEYFORGE_VALKEY_PREFIX:-keyforge:v1:}
acl_file=${VALKEY_ACL_FILE:-/tmp/keyforge-users.acl}

fail() {
  echo "valkey start: $*" >&2
  exit 1
}

# The prefix goes into ACL key patterns: the characters KeyForge allows in it (see
# src/cli/coordinator-flags.ts) are none of the pattern's special ones.
case $prefix in
  '' | *[!A-Za-z0-9_:.-]*) fail "KEYFORGE_VALKEY_PREFIX may hold letters, digits and _ : . - only" ;;
esac
[ "${#prefix}" -le 64 ] || fail "KEYFORGE_VALKEY_PREFIX is longer than 64 characters"

# Checks a password (never printed) and prints its SHA-256 as the ACL wants it: #<hex>.
password_hash() {
  # $1: the password, $2: where it came from (for messages)
  case $1 in
    '') fail "$2 holds an empty password" ;;
    *[!A-Za-z0-9_-]*) fail "$2: a password may hold letters, digits, - and _ only (as make-secrets.sh makes them)" ;;
  esac
  [ "${#1}" -ge 16 ] || fail "$2: the password is shorter than 16 characters"
  printf '#%s' "$(printf '%s' "$1" | sha256sum | cut -d ' ' -f 1)"
}

read_secret() {
  [ -r "$secrets/$1" ] || fail "cannot read the secret file $secrets/$1"
  # $( ) drops the final newline.
  cat "$secrets/$1"
}

# The hash of the password in Valkey URL file $2, which must name user $1.
url_password_hash() {
  url=$(read_secret "$2")
  rest=${url#*://}
  credentials=${rest%%@*}
  case $rest in
    *:*@*) ;;
    *) fail "$2 is not a URL of the form redis://user:password@host:port" ;;
  esac
  case $credentials in
    *:*) ;;
    *) fail "$2 is not a URL of the form redis://user:password@host:port" ;;
  esac
  user=${credentials%%:*}
  [ "$user" = "$1" ] || fail "$2 names the user '$user'; this stack's user for it is '$1'"
  password_hash "${credentials#*:}" "$2"
}

hive=$(url_password_hash keyforge-hive valkey-url-hive)
assets=$(url_password_hash keyforge-assets valkey-url-assets)
assetmgr=$(url_password_hash keyforge-assetmgr valkey-url-assetmgr)
admin=$(password_hash "$(read_secret valkey-admin-password)" valkey-admin-password)

umask 077
partial="$acl_file.partial.$$"
sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' \
  -e "s|@PREFIX@|$prefix|g" \
  -e "s|@HIVE_PASSWORD@|$hive|g" \
  -e "s|@ASSETS_PASSWORD@|$assets|g" \
  -e "s|@ASSETMGR_PASSWORD@|$assetmgr|g" \
  -e "s|@ADMIN_PASSWORD@|$admin|g" \
  "$here/users.acl.template" >"$partial"
if grep -q '@[A-Z_]*@' "$partial"; then
  rm -f "$partial"
  fail "users.acl.template has a placeholder this script does not fill"
fi
mv "$partial" "$acl_file"

if [ -n "${VALKEY_MAXMEMORY:-}" ]; then
  set -- --maxmemory "$VALKEY_MAXMEMORY" "$@"
fi
exec "$server" "$here/valkey.conf" --aclfile "$acl_file" "$@"
