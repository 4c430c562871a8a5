-- Only the platform's own role connects to its database. PostgreSQL gives CONNECT and TEMPORARY on
-- every new database to PUBLIC, that is to every role of the cluster, site roles included
-- (docs/databases.md). Migrations run as the database's owner; run by another role this only warns.
DO $$
BEGIN
  EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

-- PostgreSQL 15 and later no longer let PUBLIC create objects in schema public; older servers do.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
