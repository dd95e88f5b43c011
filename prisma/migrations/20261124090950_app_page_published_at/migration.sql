-- AlterTable
ALTER TABLE "AppPageState" ADD COLUMN     "publishedAt" TIMESTAMP(3);
