# Sourced by backup.sh, restore.sh and healthcheck.sh (POSIX sh): settings as the KeyForge
# services read them, and the database to work on.
#
# The database is DATABASE_URL, or the file DATABASE_URL_FILE names (the stack's secret file,
# the one the hives read); with neither, libpq's own PGHOST, PGPORT, PGUSER, PGPASSWORD and
# PGDATABASE apply as they are. A URL is taken apart into those variables here, so that no
# password is ever on a command line (where `ps` on the host shows it) or in a log line.

# Prints "$1: $2" on standard error and stops the script.
fail() {
  printf '%s: %s\n' "$script_name" "$*" >&2
  exit 1
}

log() {
  printf '%s: %s\n' "$script_name" "$*"
}

# The setting $1, from the variable itself or from the file named by ${1}_FILE (its final
# newline dropped); empty when neither is set. A file that cannot be read stops the script,
# naming the variable, never the value.
read_setting() {
  eval "direct=\${$1:-}; file=\${$1_FILE:-}"
  if [ -n "$direct" ]; then
    printf '%s' "$direct"
  elif [ -n "$file" ]; then
    [ -r "$file" ] || fail "${1}_FILE points at $file, which cannot be read"
    cat "$file"
  fi
}

# Decodes %XX escapes (a URL's user name and password may hold them), byte by byte.
percent_decoded() {
  printf '%s' "$1" | LC_ALL=C awk '
    BEGIN { for (i = 0; i < 256; i++) byte[sprintf("%02x", i)] = sprintf("%c", i) }
    {
      text = $0; out = ""
      while (match(text, /%[0-9A-Fa-f][0-9A-Fa-f]/)) {
        out = out substr(text, 1, RSTART - 1) byte[tolower(substr(text, RSTART + 1, 2))]
        text = substr(text, RSTART + 3)
      }
      printf "%s", out text
    }'
}

# Sets libpq's variables from DATABASE_URL (postgres://user:password@host:port/database?sslmode=...).
use_database_setting() {
  url=$(read_setting DATABASE_URL)
  [ -n "$url" ] || return 0
  case $url in
    postgres://* | postgresql://*) ;;
    *) fail "DATABASE_URL must be a postgres:// URL (it starts with ${url%%:*}:)" ;;
  esac
  rest=${url#*://}
  query=""
  case $rest in *\?*) query=${rest#*\?} rest=${rest%%\?*} ;; esac
  database=""
  case $rest in */*) database=${rest#*/} rest=${rest%%/*} ;; esac
  credentials=""
  case $rest in *@*) credentials=${rest%@*} rest=${rest##*@} ;; esac
  case $rest in
    \[*\]*) host=${rest#\[} host=${host%%\]*} port=${rest##*\]} port=${port#:} ;;
    *:*) host=${rest%:*} port=${rest##*:} ;;
    *) host=$rest port="" ;;
  esac
  user=${credentials%%:*}
  password=""
  case $credentials in *:*) password=${credentials#*:} ;; esac
  [ -z "$host" ] || export PGHOST="$host"
  [ -z "$port" ] || export PGPORT="$port"
  [ -z "$user" ] || export PGUSER="$(percent_decoded "$user")"
  [ -z "$password" ] || export PGPASSWORD="$(percent_decoded "$password")"
  [ -z "$database" ] || export PGDATABASE="$(percent_decoded "$database")"
  # The URL parameters libpq knows as variables; any other is refused rather than ignored.
  old_ifs=$IFS
  IFS='&'
  for parameter in $query; do
    value=$(percent_decoded "${parameter#*=}")
    case ${parameter%%=*} in
      sslmode) export PGSSLMODE="$value" ;;
      sslrootcert) export PGSSLROOTCERT="$value" ;;
      sslcert) export PGSSLCERT="$value" ;;
      sslkey) export PGSSLKEY="$value" ;;
      connect_timeout) export PGCONNECT_TIMEOUT="$value" ;;
      application_name) export PGAPPNAME="$value" ;;
      host) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      *) fail "DATABASE_URL has the parameter ${parameter%%=*}, which this script does not pass on" ;;
    esac
  done
  IFS=$old_ifs
}

# "database D on H:P as U", never the password.
describe_database() {
  printf 'database %s on %s:%s as %s' "${PGDATABASE:-${PGUSER:-$(id -un)}}" \
    "${PGHOST:-local socket}" "${PGPORT:-5432}" "${PGUSER:-$(id -un)}"
}

# Where the backups are: BACKUP_DIR (the stack mounts its volume at /backups).
backup_dir() {
  printf '%s' "${BACKUP_DIR:-/backups}"
}

# The name of the file of the last verified backup, as last-success records it.
LAST_SUCCESS=last-success

# A field ("name=value" line) of the last-success file $1.
last_success_field() {
  sed -n "s/^$2=//p" "$1" | head -n 1
}
