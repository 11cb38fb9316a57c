#!/bin/bash
# Run once by the postgres image on a new data volume (/docker-entrypoint-initdb.d): the services'
# roles and schemas (service-roles.sql), with the passwords compose passes in.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v registry_password="$DB_PASSWORD_REGISTRY" -v talks_password="$DB_PASSWORD_TALKS" \
  -v compliance_password="$DB_PASSWORD_COMPLIANCE" -v notify_password="$DB_PASSWORD_NOTIFY" \
  -f /etc/talk-compliance/service-roles.sql
