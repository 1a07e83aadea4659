import { timestamp, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";

/** Primary keys are UUIDv7: unique across instances and sorted by creation time. */
export const id = () =>
  uuid("id")
    .primaryKey()
    .$defaultFn(() => uuidv7());

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A Date as a SQL parameter in raw `sql` fragments: postgres.js cannot bind a Date there, so send ISO text. */
export const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
