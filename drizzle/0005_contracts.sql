CREATE TYPE "public"."contract_status" AS ENUM('START', 'ANGEBOT', 'ANTRAG', 'AKTIV', 'RUHEND', 'GEKUENDIGT', 'ABGELEHNT');--> statement-breakpoint
CREATE TYPE "public"."line_of_business" AS ENUM('KFZ', 'HAUSRAT', 'WOHNGEBAEUDE', 'PRIVATHAFTPFLICHT', 'TIERHALTERHAFTPFLICHT', 'RECHTSSCHUTZ', 'UNFALL', 'BERUFSUNFAEHIGKEIT', 'RISIKOLEBEN', 'KAPITALLEBEN', 'PRIVATE_RENTE', 'BETRIEBLICHE_ALTERSVORSORGE', 'KRANKEN', 'KRANKENZUSATZ', 'PFLEGE', 'REISE', 'GEWERBE', 'SONSTIGE');--> statement-breakpoint
CREATE TYPE "public"."payment_interval" AS ENUM('MONTHLY', 'QUARTERLY', 'HALF_YEARLY', 'YEARLY', 'SINGLE', 'PAID_UP');--> statement-breakpoint
CREATE TYPE "public"."risk_kind" AS ENUM('VEHICLE', 'BUILDING', 'PERSON', 'OTHER');--> statement-breakpoint
CREATE TABLE "contract_responsible_staff" (
	"tenant_id" uuid NOT NULL,
	"contract_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "contract_responsible_staff_contract_id_staff_user_id_pk" PRIMARY KEY("contract_id","staff_user_id")
);
--> statement-breakpoint
CREATE TABLE "contract_status_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"contract_id" uuid NOT NULL,
	"from_status" "contract_status",
	"to_status" "contract_status" NOT NULL,
	"changed_by_staff_id" uuid,
	"changed_by_account_id" uuid,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"insurer_id" uuid NOT NULL,
	"contract_number" text NOT NULL,
	"line_of_business" "line_of_business",
	"status" "contract_status" NOT NULL,
	"premium_cents" integer,
	"payment_interval" "payment_interval",
	"start_date" date,
	"end_date" date,
	"risk_id" uuid,
	"notes" text,
	"visible_to_customer" boolean DEFAULT false NOT NULL,
	"accepted_at" timestamp with time zone,
	"accepted_by_account_id" uuid,
	"created_by_staff_id" uuid,
	"created_by_account_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "insurers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" "risk_kind" NOT NULL,
	"license_plate" text,
	"street" text,
	"postal_code" text,
	"city" text,
	"person_name" text,
	"birth_date" date,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contract_responsible_staff" ADD CONSTRAINT "contract_responsible_staff_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_responsible_staff" ADD CONSTRAINT "contract_responsible_staff_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_responsible_staff" ADD CONSTRAINT "contract_responsible_staff_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_status_changes" ADD CONSTRAINT "contract_status_changes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_status_changes" ADD CONSTRAINT "contract_status_changes_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_status_changes" ADD CONSTRAINT "contract_status_changes_changed_by_staff_id_staff_users_id_fk" FOREIGN KEY ("changed_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_status_changes" ADD CONSTRAINT "contract_status_changes_changed_by_account_id_app_accounts_id_fk" FOREIGN KEY ("changed_by_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_insurer_id_insurers_id_fk" FOREIGN KEY ("insurer_id") REFERENCES "public"."insurers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_risk_id_risks_id_fk" FOREIGN KEY ("risk_id") REFERENCES "public"."risks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_accepted_by_account_id_app_accounts_id_fk" FOREIGN KEY ("accepted_by_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_created_by_staff_id_staff_users_id_fk" FOREIGN KEY ("created_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_created_by_account_id_app_accounts_id_fk" FOREIGN KEY ("created_by_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurers" ADD CONSTRAINT "insurers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risks" ADD CONSTRAINT "risks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risks" ADD CONSTRAINT "risks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contract_responsible_staff_user_idx" ON "contract_responsible_staff" USING btree ("staff_user_id");--> statement-breakpoint
CREATE INDEX "contract_status_changes_contract_idx" ON "contract_status_changes" USING btree ("contract_id","changed_at");--> statement-breakpoint
CREATE INDEX "contracts_tenant_idx" ON "contracts" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "contracts_customer_idx" ON "contracts" USING btree ("customer_id","created_at","id");--> statement-breakpoint
CREATE INDEX "contracts_tenant_number_idx" ON "contracts" USING btree ("tenant_id","contract_number");--> statement-breakpoint
CREATE UNIQUE INDEX "insurers_tenant_name_idx" ON "insurers" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "risks_customer_idx" ON "risks" USING btree ("customer_id");--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE set null ON UPDATE no action;