CREATE TYPE "public"."app_account_status" AS ENUM('INVITED', 'ACTIVE', 'DEACTIVATED');--> statement-breakpoint
CREATE TYPE "public"."salutation" AS ENUM('SIE', 'DU');--> statement-breakpoint
CREATE TYPE "public"."file_purpose" AS ENUM('LOGO', 'DOCUMENT', 'CLAIM_PHOTO');--> statement-breakpoint
CREATE TYPE "public"."file_status" AS ENUM('PENDING', 'STORED', 'ATTACHED');--> statement-breakpoint
ALTER TYPE "public"."one_time_token_purpose" ADD VALUE 'APP_INVITE';--> statement-breakpoint
ALTER TYPE "public"."one_time_token_purpose" ADD VALUE 'APP_PASSWORD_RESET';--> statement-breakpoint
CREATE TABLE "customer_responsible_staff" (
	"customer_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "customer_responsible_staff_customer_id_staff_user_id_pk" PRIMARY KEY("customer_id","staff_user_id")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"birth_date" date,
	"email" text,
	"phone" text,
	"street" text,
	"postal_code" text,
	"city" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_account_access" (
	"app_account_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"granted_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "app_account_access_app_account_id_customer_id_pk" PRIMARY KEY("app_account_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "app_accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"email" text NOT NULL,
	"password_hash" text,
	"status" "app_account_status" DEFAULT 'INVITED' NOT NULL,
	"salutation" "salutation" DEFAULT 'SIE' NOT NULL,
	"invited_at" timestamp with time zone,
	"activated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "app_accounts_customer_id_unique" UNIQUE("customer_id")
);
--> statement-breakpoint
CREATE TABLE "document_categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text,
	"name" text NOT NULL,
	"recommended" boolean DEFAULT false NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	"contract_id" uuid,
	"claim_id" uuid,
	"title" text NOT NULL,
	"file_id" uuid NOT NULL,
	"visible_to_customer" boolean DEFAULT false NOT NULL,
	"uploaded_by_staff_id" uuid,
	"uploaded_by_account_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_file_id_unique" UNIQUE("file_id")
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"purpose" "file_purpose" NOT NULL,
	"status" "file_status" DEFAULT 'PENDING' NOT NULL,
	"file_name" text NOT NULL,
	"declared_type" text NOT NULL,
	"declared_size" integer NOT NULL,
	"mime_type" text,
	"size" integer,
	"sha256" text,
	"storage_key" text NOT NULL,
	"created_by_staff_id" uuid,
	"created_by_account_id" uuid,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "files_storage_key_unique" UNIQUE("storage_key")
);
--> statement-breakpoint
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_one_subject";--> statement-breakpoint
ALTER TABLE "one_time_tokens" ADD COLUMN "app_account_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "app_account_id" uuid;--> statement-breakpoint
ALTER TABLE "customer_responsible_staff" ADD CONSTRAINT "customer_responsible_staff_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_responsible_staff" ADD CONSTRAINT "customer_responsible_staff_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_account_access" ADD CONSTRAINT "app_account_access_app_account_id_app_accounts_id_fk" FOREIGN KEY ("app_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_account_access" ADD CONSTRAINT "app_account_access_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_account_access" ADD CONSTRAINT "app_account_access_granted_by_staff_users_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_accounts" ADD CONSTRAINT "app_accounts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_accounts" ADD CONSTRAINT "app_accounts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_categories" ADD CONSTRAINT "document_categories_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_category_id_document_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."document_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_uploaded_by_staff_id_staff_users_id_fk" FOREIGN KEY ("uploaded_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_uploaded_by_account_id_app_accounts_id_fk" FOREIGN KEY ("uploaded_by_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_created_by_staff_id_staff_users_id_fk" FOREIGN KEY ("created_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_created_by_account_id_app_accounts_id_fk" FOREIGN KEY ("created_by_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_responsible_staff_user_idx" ON "customer_responsible_staff" USING btree ("staff_user_id");--> statement-breakpoint
CREATE INDEX "customers_tenant_name_idx" ON "customers" USING btree ("tenant_id","last_name","first_name","id");--> statement-breakpoint
CREATE INDEX "app_account_access_customer_idx" ON "app_account_access" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "app_accounts_tenant_email_idx" ON "app_accounts" USING btree ("tenant_id","email");--> statement-breakpoint
CREATE INDEX "app_accounts_tenant_status_idx" ON "app_accounts" USING btree ("tenant_id","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_categories_tenant_name_idx" ON "document_categories" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "documents_customer_idx" ON "documents" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "documents_tenant_idx" ON "documents" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "files_abandoned_idx" ON "files" USING btree ("expires_at") WHERE status <> 'ATTACHED';--> statement-breakpoint
ALTER TABLE "one_time_tokens" ADD CONSTRAINT "one_time_tokens_app_account_id_app_accounts_id_fk" FOREIGN KEY ("app_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_app_account_id_app_accounts_id_fk" FOREIGN KEY ("app_account_id") REFERENCES "public"."app_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "one_time_tokens_account_idx" ON "one_time_tokens" USING btree ("app_account_id","purpose");--> statement-breakpoint
CREATE INDEX "sessions_app_account_idx" ON "sessions" USING btree ("app_account_id");--> statement-breakpoint
ALTER TABLE "one_time_tokens" ADD CONSTRAINT "one_time_tokens_one_subject" CHECK (num_nonnulls("one_time_tokens"."staff_user_id", "one_time_tokens"."app_account_id") = 1);--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_one_subject" CHECK (num_nonnulls("sessions"."staff_user_id", "sessions"."app_account_id") = 1);