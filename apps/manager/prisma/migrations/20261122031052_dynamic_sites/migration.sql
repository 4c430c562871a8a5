-- CreateEnum
CREATE TYPE "DatabaseEngine" AS ENUM ('postgresql', 'mysql');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "OperationKind" ADD VALUE 'update_site';
ALTER TYPE "OperationKind" ADD VALUE 'restart_site';
ALTER TYPE "OperationKind" ADD VALUE 'create_database';
ALTER TYPE "OperationKind" ADD VALUE 'rotate_database_password';
ALTER TYPE "OperationKind" ADD VALUE 'delete_database';

-- AlterEnum
ALTER TYPE "SiteType" ADD VALUE 'dynamic';

-- AlterTable
ALTER TABLE "Site" ADD COLUMN     "builtImage" VARCHAR(255),
ADD COLUMN     "clientMaxBodyMb" INTEGER,
ADD COLUMN     "cpus" DOUBLE PRECISION NOT NULL DEFAULT 0.5,
ADD COLUMN     "env" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "imageId" INTEGER,
ADD COLUMN     "memoryMb" INTEGER NOT NULL DEFAULT 256,
ADD COLUMN     "nginxSnippet" VARCHAR(4000),
ADD COLUMN     "packages" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "pids" INTEGER NOT NULL DEFAULT 256,
ADD COLUMN     "secrets" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "setupCommands" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "stopped" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Image" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(40) NOT NULL,
    "baseImage" VARCHAR(255) NOT NULL,
    "description" VARCHAR(500) NOT NULL DEFAULT '',
    "packageUpdate" JSONB,
    "packageInstall" JSONB,
    "runScript" VARCHAR(10000) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatabaseHost" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(40) NOT NULL,
    "engine" "DatabaseEngine" NOT NULL,
    "adminHost" VARCHAR(253) NOT NULL,
    "adminPort" INTEGER NOT NULL,
    "adminUser" VARCHAR(64) NOT NULL,
    "adminPassword" VARCHAR(256) NOT NULL,
    "siteHost" VARCHAR(253) NOT NULL,
    "sitePort" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatabaseHost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SiteDatabase" (
    "id" SERIAL NOT NULL,
    "siteId" INTEGER NOT NULL,
    "hostId" INTEGER NOT NULL,
    "name" VARCHAR(32) NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "password" VARCHAR(128) NOT NULL,
    "deleting" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SiteDatabase_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Image_name_key" ON "Image"("name");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseHost_name_key" ON "DatabaseHost"("name");

-- CreateIndex
CREATE UNIQUE INDEX "SiteDatabase_siteId_key" ON "SiteDatabase"("siteId");

-- CreateIndex
CREATE UNIQUE INDEX "SiteDatabase_hostId_name_key" ON "SiteDatabase"("hostId", "name");

-- AddForeignKey
ALTER TABLE "Site" ADD CONSTRAINT "Site_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SiteDatabase" ADD CONSTRAINT "SiteDatabase_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SiteDatabase" ADD CONSTRAINT "SiteDatabase_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "DatabaseHost"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
