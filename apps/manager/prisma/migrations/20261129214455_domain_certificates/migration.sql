-- CreateEnum
CREATE TYPE "CertificateState" AS ENUM ('pending', 'active', 'error');

-- AlterTable
ALTER TABLE "Domain" ADD COLUMN     "certificateExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "certificateMessage" VARCHAR(500),
ADD COLUMN     "certificateRetryAt" TIMESTAMPTZ(3),
ADD COLUMN     "certificateState" "CertificateState";
