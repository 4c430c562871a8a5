# Sourced by scripts/setup.sh and scripts/setup-databases.sh (which define did, ok and as_root).
#
# The accounts setup makes in the database servers (the role `dais`, `dais_dbadmin` in PostgreSQL and
# MariaDB) belong to the machine, not to one checkout. Every checkout set up on the same machine (a
# worktree, a CI clone beside a developer's checkout) therefore takes their passwords from one
# root-only folder, so that setting up one checkout never resets a password another one is using.
MACHINE_SECRETS="${DAIS_MACHINE_SECRETS_DIR:-/var/lib/dais-dev/secrets}"

# machine_secret <file> <description>: leaves in <file> (mode 0600) the machine's password for that
# account, generated once. Letters and digits only: it is spliced into SQL and connection URLs.
machine_secret() {
  local file=$1 shared
  shared="$MACHINE_SECRETS/$(basename "$file")"
  mkdir -p "$(dirname "$file")" && chmod 700 "$(dirname "$file")"
  as_root mkdir -p "$MACHINE_SECRETS" && as_root chmod 700 "$MACHINE_SECRETS"
  if as_root test -s "$shared"; then
    if [ -s "$file" ] && as_root cmp -s "$shared" "$file"; then ok "$2 password kept in $file"; else
      as_root cat "$shared" | (umask 077 && cat >"$file")
      did "took this machine's $2 password (shared by its checkouts, $MACHINE_SECRETS) into $file"
    fi
  else
    if [ -s "$file" ]; then ok "$2 password kept in $file"; else
      (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 32 >"$file")
      did "generated a $2 password in $file"
    fi
    as_root sh -c "umask 077 && cat >'$shared'" <"$file"
  fi
  chmod 600 "$file"
}
