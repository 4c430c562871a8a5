-- Custom domains need proof of control before they are routed (docs/domains.md).

-- CreateEnum
CREATE TYPE "DomainProof" AS ENUM ('dns', 'admin', 'migrated');

-- AlterEnum: a new first value, made by recreating the type (a value added with ADD VALUE cannot
-- be used, e.g. as the column default, in the transaction that adds it).
ALTER TYPE "DomainStatus" RENAME TO "DomainStatus_old";
CREATE TYPE "DomainStatus" AS ENUM ('unverified', 'pending', 'active', 'error');
ALTER TABLE "Domain" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "Domain" ALTER COLUMN "status" TYPE "DomainStatus" USING ("status"::text::"DomainStatus");
ALTER TABLE "Domain" ALTER COLUMN "status" SET DEFAULT 'unverified';
DROP TYPE "DomainStatus_old";

-- DropIndex: several sites may claim a hostname while unverified; "claimedHostname" is unique instead.
DROP INDEX "Domain_hostname_key";

-- DropIndex: covered by "Domain_siteId_hostname_key".
DROP INDEX "Domain_siteId_idx";

-- AlterTable: existing rows get a random token (the default is evaluated per row, then dropped).
ALTER TABLE "Domain" ADD COLUMN     "checkMessage" VARCHAR(1000),
ADD COLUMN     "checkProblem" VARCHAR(32),
ADD COLUMN     "checkedAt" TIMESTAMPTZ(3),
ADD COLUMN     "claimedHostname" VARCHAR(253),
ADD COLUMN     "lapseAt" TIMESTAMPTZ(3),
ADD COLUMN     "nextCheckAt" TIMESTAMPTZ(3),
ADD COLUMN     "releaseAt" TIMESTAMPTZ(3),
ADD COLUMN     "verificationToken" VARCHAR(64) NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', ''),
ADD COLUMN     "verifiedAt" TIMESTAMPTZ(3),
ADD COLUMN     "verifiedBy" VARCHAR(64),
ADD COLUMN     "verifiedVia" "DomainProof";
ALTER TABLE "Domain" ALTER COLUMN "verificationToken" DROP DEFAULT;

-- Domains added before proofs existed are live sites: they stay routed, verified as `migrated`
-- (not re-checked: their owners never published a record). Hostnames were unique until now.
UPDATE "Domain" SET "verifiedAt" = "createdAt", "verifiedVia" = 'migrated', "claimedHostname" = "hostname";

-- CreateIndex
CREATE UNIQUE INDEX "Domain_claimedHostname_key" ON "Domain"("claimedHostname");

-- CreateIndex
CREATE INDEX "Domain_hostname_idx" ON "Domain"("hostname");

-- CreateIndex
CREATE INDEX "Domain_nextCheckAt_idx" ON "Domain"("nextCheckAt");

-- CreateIndex
CREATE UNIQUE INDEX "Domain_siteId_hostname_key" ON "Domain"("siteId", "hostname");
