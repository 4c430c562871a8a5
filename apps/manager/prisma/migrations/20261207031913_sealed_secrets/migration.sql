-- AlterTable
ALTER TABLE "DatabaseHost" ALTER COLUMN "adminPassword" SET DATA TYPE TEXT;

-- AlterTable
ALTER TABLE "SiteDatabase" ALTER COLUMN "password" SET DATA TYPE TEXT;

-- Secrets are sealed by the manager with a key this migration cannot see (docs/secrets.md). Until the
-- manager starts and seals them, values written before are marked as plain text, so nothing has to
-- guess whether a value is sealed.
UPDATE "DatabaseHost" SET "adminPassword" = 'plain:' || "adminPassword";
UPDATE "SiteDatabase" SET "password" = 'plain:' || "password";
UPDATE "Site"
   SET "secrets" = (SELECT jsonb_object_agg(key, 'plain:' || value) FROM jsonb_each_text("secrets"))
 WHERE "secrets" <> '{}'::jsonb;
