#!/bin/sh
# Copies the configuration files the compose stack mounts (deploy/gateway, deploy/valkey,
# deploy/backup) into base/files/, where the base's configMapGenerator reads them.
#
# Why: kustomize (and so `kubectl apply -k`, Argo CD, Flux) refuses to read a file outside the
# kustomization's folder unless every build is run with --load-restrictor LoadRestrictionsNone.
# deploy/ holds the one copy in the repository (git ignores base/files/): run this before a
# build, and again after changing one of the files there.
#
#   sh deploy/kubernetes/sync-files.sh          copy
#   sh deploy/kubernetes/sync-files.sh --check  exit 1, naming them, when copies differ (CI)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
deploy=$(cd "$here/.." && pwd)
files="gateway/httpd.conf valkey/valkey.conf valkey/users.acl.template valkey/start.sh
valkey/healthcheck.sh backup/backup.sh backup/connection.sh backup/healthcheck.sh
backup/restore.sh backup/retention.sh"

mode=copy
case ${1:-} in
  '') ;;
  --check) mode=check ;;
  *) echo "usage: sync-files.sh [--check]" >&2; exit 2 ;;
esac

differ=""
for f in $files; do
  if [ "$mode" = check ]; then
    cmp -s "$deploy/$f" "$here/base/files/$f" || differ="$differ $f"
  else
    mkdir -p "$here/base/files/$(dirname "$f")"
    cp "$deploy/$f" "$here/base/files/$f"
  fi
done
if [ -n "$differ" ]; then
  echo "sync-files: base/files/ differs from deploy/ for:$differ (run sh deploy/kubernetes/sync-files.sh)" >&2
  exit 1
fi
