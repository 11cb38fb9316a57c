-- One database role per service: each signs in as itself, owns its own schema, and reaches no other
-- service's tables (nor creates schemas, nor anything in public). Run by psql as the superuser, with
-- the passwords as variables (deploy/postgres/10-service-roles.sh in compose; tests/integration/
-- test_service_roles.py); safe to run again.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', name)
  FROM (VALUES ('registry'), ('talks'), ('compliance'), ('notify')) AS services(name)
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec

ALTER ROLE registry PASSWORD :'registry_password';
ALTER ROLE talks PASSWORD :'talks_password';
ALTER ROLE compliance PASSWORD :'compliance_password';
ALTER ROLE notify PASSWORD :'notify_password';

-- Nobody but the services (and the superuser) connects; nobody creates in public.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO registry, talks, compliance, notify', current_database()) \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- Each schema made here, owned by its service: its migrations create the tables in it at start-up.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', name, name)
  FROM (VALUES ('registry'), ('talks'), ('compliance'), ('notify')) AS services(name) \gexec
