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

# ensure_secret <file> <description>: a password generated once, kept with mode 0600.
ensure_secret() {
  local file=$1
  mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
  if [ -s "$file" ]; then ok "$2 password kept in $file"; else
    # Letters and digits only: the value is spliced into SQL below and into connection URLs.
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 32 >"$file")
    did "generated a $2 password in $file"
  fi
  chmod 600 "$file"
}

postgres_admin() {
  local file="$SECRETS/postgres-dbadmin-password" password
  ensure_secret "$file" "PostgreSQL $ADMIN"
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
  ensure_secret "$file" "MariaDB $ADMIN"
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

# PostgreSQL and MariaDB listen on loopback and on the sites network's gateway, nowhere else.
postgres_for_sites() {
  local cluster version name conf hba changed=0
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  read -r version name <<<"$cluster"
  conf="/etc/postgresql/$version/$name/conf.d/dais-sites.conf"
  hba="/etc/postgresql/$version/$name/pg_hba.conf"
  write_if_changed "$conf" "# Written by Dais setup: site containers reach PostgreSQL on the sites network's gateway.
listen_addresses = 'localhost,$SITES_GATEWAY'" && changed=1
  if ! grep -q "^host all all $SITES_SUBNET scram-sha-256" "$hba"; then
    printf '# Dais sites (site users log in with their own passwords)\nhost all all %s scram-sha-256\n' "$SITES_SUBNET" | as_root tee -a "$hba" >/dev/null
    changed=1
  fi
  if [ "$changed" = 1 ]; then
    as_root pg_ctlcluster "$version" "$name" restart
    did "PostgreSQL listens on $SITES_GATEWAY for sites in $SITES_SUBNET (restarted)"
  else
    ok "PostgreSQL listens on $SITES_GATEWAY for sites in $SITES_SUBNET"
  fi
}

mariadb_for_sites() {
  if write_if_changed /etc/mysql/mariadb.conf.d/60-dais-sites.cnf "# Written by Dais setup: site containers reach MariaDB on the sites network's gateway.
[mysqld]
bind-address = 127.0.0.1,$SITES_GATEWAY"; then
    as_root service mariadb restart >/dev/null
    wait_for 30 "MariaDB" mysqladmin ping
    did "MariaDB listens on 127.0.0.1 and $SITES_GATEWAY (restarted)"
  else
    ok "MariaDB listens on 127.0.0.1 and $SITES_GATEWAY"
  fi
}

postgres_admin
start_mariadb
mariadb_admin
sites_network
postgres_for_sites
mariadb_for_sites
