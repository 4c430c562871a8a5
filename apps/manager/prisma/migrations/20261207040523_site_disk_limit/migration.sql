-- AlterTable
ALTER TABLE "Site" ADD COLUMN     "diskLimitMb" INTEGER;
