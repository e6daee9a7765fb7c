#!/bin/sh
# Builds the file tree of the KeyForge image's runtime stage into <out>: the compiled CLI
# (dist/), the shipped assets (data/system/), the migrations, package.json and the production
# dependencies, and nothing else. deploy/Dockerfile runs it, and so does the test that starts
# every service from such a tree on a machine without a container engine
# (test/e2e/image-tree.test.ts), so what is tested is what the image holds.
#
# Usage: sh deploy/runtime-tree.sh <out>   (from a checkout where `npm ci` has run)
set -eu

out=${1:?usage: sh deploy/runtime-tree.sh <out>}
source_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "runtime-tree: $out is not empty; give a new or empty folder" >&2
  exit 1
fi
if [ ! -x "$source_dir/node_modules/.bin/tsc" ]; then
  echo "runtime-tree: run npm ci in $source_dir first (TypeScript compiles the CLI)" >&2
  exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

cd "$source_dir"
# The CLI, compiled: relative imports of .ts files are rewritten to .js.
node_modules/.bin/tsc -p tsconfig.build.json --outDir "$out/dist"
# The web app the hive serves at /, and `keyforge web-root` writes out for the gateway.
node_modules/.bin/vite build --config web/vite.config.ts --outDir "$out/dist/web" --logLevel warn
mkdir -p "$out/data"
cp -R data/system "$out/data/system"
cp -R migrations "$out/migrations"
cp package.json package-lock.json LICENSE "$out/"

# Production dependencies only, exactly as the lock file pins them. No install scripts run: no
# dependency needs one, and none is let run code at build time.
cd "$out"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
# The embedded database (PGlite, a third of the tree) serves `keyforge up` and the CLI on one
# machine; the image's services run on PostgreSQL, and `hive` without DATABASE_URL says so.
rm -rf node_modules/@electric-sql
# What npm keeps for itself, and what no production process reads.
rm -f node_modules/.package-lock.json package-lock.json
find node_modules \( -name '*.md' -o -name '*.markdown' -o -name '*.map' -o -name '*.ts' \
  -o -name 'CHANGELOG*' -o -name '.github' -o -name '.eslintrc*' \) \
  -not -name '*.d.ts' -prune -exec rm -rf {} +
find node_modules -name '*.d.ts' -exec rm -f {} +
# The test suites, examples and docs some packages ship (bintrees: 2 MB of tests), at the top
# of each package only.
find node_modules -mindepth 2 -maxdepth 3 -type d \( -name test -o -name tests \
  -o -name __tests__ -o -name example -o -name examples -o -name docs \) \
  -path 'node_modules/*' -prune -exec rm -rf {} +
# Type packages some dependencies list (node-pg-migrate: @types/pg): declarations only.
rm -rf node_modules/@types
