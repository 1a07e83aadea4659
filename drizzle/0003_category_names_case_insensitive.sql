DROP INDEX "document_categories_tenant_name_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "document_categories_tenant_name_idx" ON "document_categories" USING btree ("tenant_id",lower("name"));