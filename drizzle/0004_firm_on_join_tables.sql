-- Every row of firm data carries its firm: the two join tables get tenant_id, filled from their parents.
ALTER TABLE "customer_responsible_staff" ADD COLUMN "tenant_id" uuid;--> statement-breakpoint
UPDATE "customer_responsible_staff" AS r SET "tenant_id" = c."tenant_id" FROM "customers" AS c WHERE c."id" = r."customer_id";--> statement-breakpoint
ALTER TABLE "customer_responsible_staff" ALTER COLUMN "tenant_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "app_account_access" ADD COLUMN "tenant_id" uuid;--> statement-breakpoint
UPDATE "app_account_access" AS g SET "tenant_id" = a."tenant_id" FROM "app_accounts" AS a WHERE a."id" = g."app_account_id";--> statement-breakpoint
ALTER TABLE "app_account_access" ALTER COLUMN "tenant_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "customer_responsible_staff" ADD CONSTRAINT "customer_responsible_staff_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_account_access" ADD CONSTRAINT "app_account_access_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
