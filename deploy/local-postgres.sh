#!/usr/bin/env bash
# Start Debian's PostgreSQL 15 on this machine and create the role and the
# database `concerto` (password `concerto`, loopback only): for CI and for
# trying the production setup with `make serve-prod`. Needs root. A real
# server's database is created by its administrator (see README).
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster 15 main start || pg_ctlcluster 15 main status
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
fi
pg_isready -h 127.0.0.1 -p 5432

su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'concerto') THEN
    CREATE ROLE concerto LOGIN CREATEDB PASSWORD 'concerto';
  END IF;
END
$$;
SQL
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'concerto'\"" | grep -q 1 \
  || su postgres -c "createdb -O concerto concerto"
