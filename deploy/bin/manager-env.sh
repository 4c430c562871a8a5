# Sourced by the manager's entrypoint and dais-admin: settings derived from the files the init
# service generated, unless the admin set them. The password never appears in the compose file.
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL="postgresql://dais:$(cat /etc/dais/secrets/postgres-password)@${DAIS_POSTGRES_HOST:-postgres}:5432/dais"
  export DATABASE_URL
fi
