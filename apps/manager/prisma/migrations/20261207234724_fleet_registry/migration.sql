-- CreateEnum
CREATE TYPE "AppHostRuntime" AS ENUM ('docker', 'swarm');

-- CreateEnum
CREATE TYPE "AppHostState" AS ENUM ('active', 'draining');

-- CreateEnum
CREATE TYPE "PeerHealth" AS ENUM ('ok', 'degraded', 'unreachable');

-- CreateTable
CREATE TABLE "AppHost" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(40) NOT NULL,
    "url" VARCHAR(500) NOT NULL,
    "peerId" VARCHAR(40) NOT NULL,
    "publicKey" VARCHAR(4096) NOT NULL,
    "runtime" "AppHostRuntime" NOT NULL DEFAULT 'docker',
    "capacity" INTEGER NOT NULL,
    "state" "AppHostState" NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "health" "PeerHealth",
    "protocol" INTEGER,
    "version" VARCHAR(64),
    "siteCount" INTEGER,
    "lastSeenAt" TIMESTAMPTZ(3),
    "lastError" VARCHAR(500),

    CONSTRAINT "AppHost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Router" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(40) NOT NULL,
    "url" VARCHAR(500) NOT NULL,
    "peerId" VARCHAR(40) NOT NULL,
    "publicKey" VARCHAR(4096) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "health" "PeerHealth",
    "protocol" INTEGER,
    "version" VARCHAR(64),
    "siteCount" INTEGER,
    "lastSeenAt" TIMESTAMPTZ(3),
    "lastError" VARCHAR(500),

    CONSTRAINT "Router_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AppHost_name_key" ON "AppHost"("name");

-- CreateIndex
CREATE UNIQUE INDEX "AppHost_url_key" ON "AppHost"("url");

-- CreateIndex
CREATE UNIQUE INDEX "Router_name_key" ON "Router"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Router_url_key" ON "Router"("url");
