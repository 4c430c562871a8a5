#!/usr/bin/env bash
# Part of npm run setup (see scripts/setup.sh): prepares the local PostgreSQL and MariaDB as database
# hosts for sites. The orchestrator administers each through a `dais_dbadmin` account whose password
# is generated once into $STATE/secrets/. Safe to run again: "+" says what changed, "✓" what was
# already in place.
set -euo pipefail

: "${STATE:?STATE must name the Dais state directory}"
ADMIN=dais_dbadmin
SECRETS="$STATE/secrets"
# The bridge network site containers join (the orchestrator's DAIS_SITES_NETWORK). Its gateway is
# this host as the containers see it: the database servers listen there too, so sites reach them.
SITES_NETWORK="${DAIS_SITES_NETWORK:-dais-sites}"
SITES_SUBNET="${DAIS_SITES_SUBNET:-172.30.0.0/24}"
SITES_GATEWAY="${DAIS_SITES_GATEWAY:-172.30.0.1}"
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

did() { printf '  + %s\n' "$*"; }
ok() { printf '  ✓ %s\n' "$*"; }
die() { printf '\nsetup failed: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo ($*)"; fi
}
# postgres cannot enter every working directory (e.g. a private checkout), so start from /.
as_postgres() { (cd / && as_root su postgres -c "$1"); }
# root administers MariaDB over the unix socket (Debian's default unix_socket authentication).
as_mariadb_root() { as_root mariadb -u root -N -B -e "$1"; }

wait_for() { # wait_for <seconds> <description> <command...>
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up within ${seconds}s"
}

# shellcheck source=scripts/machine-secret.sh
source "$(dirname "${BASH_SOURCE[0]}")/machine-secret.sh"

postgres_admin() {
  local file="$SECRETS/postgres-dbadmin-password" password
  machine_secret "$file" "PostgreSQL $ADMIN"
  password=$(cat "$file")
  local attributes="select rolcanlogin and rolcreatedb and rolcreaterole from pg_roles where rolname = '$ADMIN'"
  if PGPASSWORD="$password" PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U "$ADMIN" -d postgres -Atc "$attributes" 2>/dev/null | grep -qx t; then
    ok "PostgreSQL role $ADMIN can log in and create databases and roles"
  elif as_postgres "psql -Atc \"select 1 from pg_roles where rolname = '$ADMIN'\"" | grep -qx 1; then
    as_postgres "psql -qc \"alter role $ADMIN with login createdb createrole password '$password'\""
    did "reset PostgreSQL role $ADMIN (login, createdb, createrole, password from $file)"
  else
    as_postgres "psql -qc \"create role $ADMIN with login createdb createrole password '$password'\""
    did "created PostgreSQL role $ADMIN (login, createdb, createrole)"
  fi
}

start_mariadb() {
  if as_root mysqladmin ping >/dev/null 2>&1; then ok "MariaDB running"; else
    as_root service mariadb start >/dev/null 2>&1 || true
    wait_for 30 "MariaDB" as_root mysqladmin ping
    did "started MariaDB"
  fi
}

# mariadb_admin_ready <password> <host>: the account '$ADMIN'@'<host>' has this password and every
# privilege. Checked as root per account: a TCP login from 127.0.0.1 may match either account.
mariadb_admin_ready() {
  local same grants
  same=$(as_mariadb_root "SELECT authentication_string = PASSWORD('$1') FROM mysql.user WHERE User = '$ADMIN' AND Host = '$2'" 2>/dev/null)
  [ "$same" = 1 ] || return 1
  grants=$(as_mariadb_root "SHOW GRANTS FOR '$ADMIN'@'$2'" 2>/dev/null) || return 1
  grep -q 'GRANT ALL PRIVILEGES ON \*\.\* TO .* WITH GRANT OPTION' <<<"$grants"
}

mariadb_admin() {
  local file="$SECRETS/mariadb-dbadmin-password" password
  machine_secret "$file" "MariaDB $ADMIN"
  password=$(cat "$file")
  if mariadb_admin_ready "$password" localhost && mariadb_admin_ready "$password" 127.0.0.1; then
    ok "MariaDB user $ADMIN can log in with every privilege (localhost, 127.0.0.1)"
    return
  fi
  local host sql=''
  for host in localhost 127.0.0.1; do
    sql+="CREATE USER IF NOT EXISTS '$ADMIN'@'$host' IDENTIFIED BY '$password';"
    sql+="ALTER USER '$ADMIN'@'$host' IDENTIFIED BY '$password';"
    sql+="GRANT ALL PRIVILEGES ON *.* TO '$ADMIN'@'$host' WITH GRANT OPTION;"
  done
  as_mariadb_root "$sql"
  MYSQL_PWD="$password" mariadb --connect-timeout=5 -h 127.0.0.1 -u "$ADMIN" -e 'SELECT 1' >/dev/null ||
    die "MariaDB user $ADMIN still cannot log in over 127.0.0.1"
  did "created or reset MariaDB user $ADMIN@localhost and @127.0.0.1 (all privileges, password from $file)"
}

sites_network() {
  local subnet
  subnet=$(as_root "$DOCKER" network inspect "$SITES_NETWORK" --format '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' 2>/dev/null || true)
  if [ -n "$subnet" ]; then
    [ "$subnet" = "$SITES_SUBNET $SITES_GATEWAY" ] || die "Docker network $SITES_NETWORK exists with $subnet, not $SITES_SUBNET $SITES_GATEWAY: remove it (docker network rm $SITES_NETWORK) or set DAIS_SITES_SUBNET/DAIS_SITES_GATEWAY to match"
    ok "Docker network $SITES_NETWORK ($SITES_SUBNET, host at $SITES_GATEWAY)"
    return
  fi
  # Inter-container traffic off: sites reach this host (nginx, databases) but not each other.
  as_root "$DOCKER" network create --driver bridge --subnet "$SITES_SUBNET" --gateway "$SITES_GATEWAY" \
    -o com.docker.network.bridge.enable_icc=false --label dais.managed-by=setup "$SITES_NETWORK" >/dev/null
  did "created Docker network $SITES_NETWORK ($SITES_SUBNET, host at $SITES_GATEWAY, containers isolated from each other)"
}

# write_if_changed <file> <content>: returns 0 if the file was (re)written.
write_if_changed() {
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then return 1; fi
  printf '%s\n' "$2" | as_root tee "$1" >/dev/null
}

# The lines Dais owns at the top of pg_hba.conf (PostgreSQL uses the first line that matches): a site
# role, a member of dais_sites (apps/orchestrator/src/databases/postgres.adapter.ts), logs in only to
# the database of its own name, so never to the platform's database, postgres, template1, another
# site's, or any database created later whatever its PUBLIC privileges. The admin is a member of every
# site role (PostgreSQL wants that to create and drop their databases), so of dais_sites too: its own
# lines (loopback, as before) come first.
HBA_BEGIN='# BEGIN Dais site roles (written by scripts/setup-databases.sh, see docs/databases.md)'
HBA_END='# END Dais site roles'
hba_block() {
  printf '%s\n' "$HBA_BEGIN" \
    "host    all             $ADMIN    127.0.0.1/32            scram-sha-256" \
    "host    all             $ADMIN    ::1/128                 scram-sha-256" \
    'host    sameuser        +dais_sites     all                     scram-sha-256' \
    'host    all             +dais_sites     all                     reject' \
    'local   all             +dais_sites                             reject' \
    "$HBA_END"
}

# hba_file_errors: the problems PostgreSQL finds in pg_hba.conf as it is on disk (none: empty).
hba_file_errors() { as_postgres "psql -Atc \"select line_number || ': ' || error from pg_hba_file_rules where error is not null\""; }

# write_hba <file>: returns 0 if the file was rewritten (and checked by PostgreSQL), 1 if it was right.
write_hba() {
  local hba=$1 current wanted
  current=$(as_root cat "$hba")
  wanted="$(hba_block)
$(awk -v begin="$HBA_BEGIN" -v end="$HBA_END" '$0 == begin {skip = 1} !skip {print} $0 == end {skip = 0}' <<<"$current")"
  if ! grep -q "^host all all $SITES_SUBNET scram-sha-256" <<<"$wanted"; then
    wanted+=$(printf '\n# Dais sites (site users log in with their own passwords)\nhost all all %s scram-sha-256' "$SITES_SUBNET")
  fi
  [ "$wanted" = "$current" ] && return 1
  as_root cp -p "$hba" "$hba.dais-backup"
  printf '%s\n' "$wanted" | as_root tee "$hba" >/dev/null # tee keeps the file's owner and mode
  local errors
  errors=$(hba_file_errors)
  if [ -n "$errors" ]; then
    as_root cp -p "$hba.dais-backup" "$hba"
    die "PostgreSQL refuses the new $hba ($errors); the old file is back in place"
  fi
  as_root rm -f "$hba.dais-backup"
  return 0
}

# No site role may create objects in the public schema of the databases every cluster has (PostgreSQL
# 15 no longer grants it to PUBLIC; older servers do). template1 passes this on to new databases.
postgres_public_schemas() {
  local database public_create="select exists (select 1 from pg_namespace n, aclexplode(n.nspacl) a where n.nspname = 'public' and a.grantee = 0 and a.privilege_type = 'CREATE')"
  for database in postgres template1; do
    if as_postgres "psql -d $database -Atc \"$public_create\"" | grep -qx t; then
      as_postgres "psql -d $database -qc 'revoke create on schema public from public'"
      did "revoked CREATE on schema public from PUBLIC in $database"
    else
      ok "PUBLIC may not create in schema public of $database"
    fi
  done
}

# PostgreSQL and MariaDB listen on loopback and on the sites network's gateway, nowhere else.
postgres_for_sites() {
  local cluster version name conf hba
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  read -r version name <<<"$cluster"
  conf="/etc/postgresql/$version/$name/conf.d/dais-sites.conf"
  hba="/etc/postgresql/$version/$name/pg_hba.conf"
  if write_if_changed "$conf" "# Written by Dais setup: site containers reach PostgreSQL on the sites network's gateway.
listen_addresses = 'localhost,$SITES_GATEWAY'"; then
    write_hba "$hba" || true
    as_root pg_ctlcluster "$version" "$name" restart
    did "PostgreSQL listens on $SITES_GATEWAY for sites in $SITES_SUBNET (restarted)"
  elif write_hba "$hba"; then
    # New pg_hba.conf rules need only a reload, which interrupts no session.
    as_root pg_ctlcluster "$version" "$name" reload
    did "PostgreSQL admits site roles only to their own database, sites in $SITES_SUBNET (pg_hba.conf reloaded)"
  else
    ok "PostgreSQL listens on $SITES_GATEWAY for sites in $SITES_SUBNET and admits site roles only to their own database"
  fi
}

# Site users hold no global privilege (no FILE: no SELECT … INTO OUTFILE, LOAD DATA INFILE or
# LOAD_FILE()); the server also refuses LOAD DATA LOCAL and keeps file access by admins to one folder.
MARIADB_FILES=/var/lib/mysql-files
mariadb_for_sites() {
  local restart=0 listen hardening
  listen="# Written by Dais setup: site containers reach MariaDB on the sites network's gateway.
[mysqld]
bind-address = 127.0.0.1,$SITES_GATEWAY"
  hardening="# Written by Dais setup (docs/databases.md): no LOAD DATA LOCAL; server-side file access only in $MARIADB_FILES.
[mysqld]
local_infile = 0
secure_file_priv = $MARIADB_FILES"
  write_if_changed /etc/mysql/mariadb.conf.d/60-dais-sites.cnf "$listen" && restart=1
  write_if_changed /etc/mysql/mariadb.conf.d/61-dais-files.cnf "$hardening" || true
  as_root install -d -o mysql -g mysql -m 750 "$MARIADB_FILES"
  # secure_file_priv is read at start only; local_infile also changes at runtime, without a restart.
  [ "$(as_mariadb_root 'SELECT @@secure_file_priv')" = "$MARIADB_FILES/" ] || restart=1
  if [ "$restart" = 1 ]; then
    as_root service mariadb restart >/dev/null
    wait_for 30 "MariaDB" as_root mysqladmin ping
    did "MariaDB listens on 127.0.0.1 and $SITES_GATEWAY, refuses LOAD DATA LOCAL, files only in $MARIADB_FILES (restarted)"
    return
  fi
  if [ "$(as_mariadb_root 'SELECT @@local_infile')" != 0 ]; then
    as_mariadb_root 'SET GLOBAL local_infile = 0'
    did "MariaDB refuses LOAD DATA LOCAL (set at runtime, no restart)"
  fi
  ok "MariaDB listens on 127.0.0.1 and $SITES_GATEWAY, refuses LOAD DATA LOCAL, files only in $MARIADB_FILES"
}

postgres_admin
start_mariadb
mariadb_admin
sites_network
postgres_for_sites
postgres_public_schemas
mariadb_for_sites
