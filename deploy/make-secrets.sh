#!/bin/sh
# Creates every secret file of the production stack (compose.yaml), with random values that
# agree with each other, in one go:
#
#   hive-secret            HIVE_SECRET of both hives and the agent
#   hive-secret-previous   HIVE_SECRET_PREVIOUS: empty; during a rotation, the old secret
#   postgres-password      the database user's password (POSTGRES_PASSWORD_FILE)
#   database-url           DATABASE_URL of the hives, with that password
#   valkey-url-hive        KEYFORGE_VALKEY_URL of each service, with its own Valkey user and
#   valkey-url-assets      password; the valkey container builds its ACL from these same
#   valkey-url-assetmgr    files, so a password lives in one file only
#   valkey-admin-password  the operator's Valkey user (valkey-cli, the healthcheck)
#
# Usage: deploy/make-secrets.sh [folder]   (default: deploy/secrets, beside this script)
# Run it as root (sudo), as the docker daemon's users are: the folder is made mode 0700, so no
# other user of the host can open it, and each file mode 0444, so the containers' users
# (uid 65532 for KeyForge, others for PostgreSQL and Valkey) can read the one file each
# container is given. It refuses to run when any of the files exists already: nothing is
# ever overwritten, and a half-made set is never completed with values that disagree.
set -eu

dir=${1:-$(dirname "$0")/secrets}
files="hive-secret hive-secret-previous postgres-password database-url valkey-url-hive valkey-url-assets valkey-url-assetmgr valkey-admin-password"

existing=""
for name in $files; do
  if [ -e "$dir/$name" ]; then existing="$existing $name"; fi
done
if [ -n "$existing" ]; then
  echo "make-secrets: $dir already holds:$existing" >&2
  echo "make-secrets: nothing was written; move the old files away first to make a new set" >&2
  exit 1
fi

# 32 random bytes as 64 hex digits: safe in a URL, a shell word and an ACL rule.
random_value() {
  value=$(od -An -N32 -vtx1 /dev/urandom | tr -d ' \n')
  [ "${#value}" -eq 64 ] || {
    echo "make-secrets: could not read /dev/urandom" >&2
    exit 1
  }
  printf '%s' "$value"
}

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

# Writes $2 (and a newline, unless empty) to the file $1, never over an existing one.
write_secret() {
  (
    set -C
    if [ -n "$2" ]; then printf '%s\n' "$2" >"$dir/$1"; else : >"$dir/$1"; fi
  ) || {
    echo "make-secrets: $dir/$1 appeared meanwhile; stopping" >&2
    exit 1
  }
  chmod 444 "$dir/$1"
}

# Every value first (an assignment stops the script when /dev/urandom fails), then the files.
hive_secret=$(random_value)
postgres_password=$(random_value)
hive_password=$(random_value)
assets_password=$(random_value)
assetmgr_password=$(random_value)
admin_password=$(random_value)

write_secret hive-secret "$hive_secret"
write_secret hive-secret-previous ""
write_secret postgres-password "$postgres_password"
write_secret database-url "postgres://keyforge:$postgres_password@postgres:5432/keyforge"
write_secret valkey-url-hive "redis://keyforge-hive:$hive_password@valkey:6379"
write_secret valkey-url-assets "redis://keyforge-assets:$assets_password@valkey:6379"
write_secret valkey-url-assetmgr "redis://keyforge-assetmgr:$assetmgr_password@valkey:6379"
write_secret valkey-admin-password "$admin_password"

echo "make-secrets: wrote $(echo $files | wc -w | tr -d ' ') secret files in $dir (folder 0700, files 0444)"
if [ "$(id -u)" != 0 ]; then
  echo "make-secrets: note: the folder belongs to $(id -un), not root: that user can read every secret" >&2
fi
