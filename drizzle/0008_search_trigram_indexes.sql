-- Trigram indexes for the searches by part of a name or number (ilike '%term%'), issue 14. pg_trgm ships with
-- PostgreSQL (contrib) and is a trusted extension: the database owner may create it. PGlite loads it (src/db/client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "claims_number_trgm_idx" ON "claims" USING gin ("number" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "claims_insurer_number_trgm_idx" ON "claims" USING gin ("insurer_claim_number" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contracts_number_trgm_idx" ON "contracts" USING gin ("contract_number" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "customers_name_trgm_idx" ON "customers" USING gin (("first_name" || ' ' || "last_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "customers_name_reversed_trgm_idx" ON "customers" USING gin (("last_name" || ', ' || "first_name") gin_trgm_ops);