import type { PgTable } from "drizzle-orm/pg-core";
import { is } from "drizzle-orm";
import { PgTable as PgTableClass } from "drizzle-orm/pg-core";
import * as outboxTables from "../mail/outbox.table.js";
import * as eventTables from "../realtime/events.table.js";
import * as idempotencyTables from "../idempotency/idempotency.table.js";
import { defineModule, type ModuleDefinition } from "./module.js";
import { tenantModule } from "./tenant/tenant.module.js";
import { staffModule } from "./staff/staff.module.js";
import { sessionModule } from "./session/session.module.js";
import { notificationModule } from "./notification/notification.module.js";
import { customerModule } from "./customer/customer.module.js";
import { accountModule } from "./account/account.module.js";
import { documentModule } from "./document/document.module.js";
import { contractModule } from "./contract/contract.module.js";
import { claimModule } from "./claim/claim.module.js";
import { chatModule } from "./chat/chat.module.js";
import { fileModule } from "../files/file.module.js";
import type { FilePurposes } from "../files/purposes.js";

/** The platform's own tables: the mail outbox, the event log behind every subscription, idempotency keys. */
const platformModule = defineModule({ name: "platform", resolvers: [], tables: { ...outboxTables, ...eventTables, ...idempotencyTables } });

/**
 * Every module of the API, registered here once. A new module is a folder with its `<f>.module.ts`
 * (see the checklist in the README) and one line in this list.
 */
export const modules: readonly [
  typeof platformModule,
  typeof tenantModule,
  typeof staffModule,
  typeof sessionModule,
  typeof notificationModule,
  typeof customerModule,
  typeof accountModule,
  typeof documentModule,
  typeof contractModule,
  typeof claimModule,
  typeof chatModule,
  typeof fileModule,
] = [platformModule, tenantModule, staffModule, sessionModule, notificationModule, customerModule, accountModule, documentModule, contractModule, claimModule, chatModule, fileModule] as const;

/** Every drizzle table of every module. */
export function allTables(): PgTable[] {
  return modules.flatMap((m) => Object.values(m.tables).filter((t): t is PgTable => is(t, PgTableClass)));
}

/** Every upload purpose, as its module registered it; a purpose no module registers fails at start. */
export function filePurposes(): FilePurposes {
  const all: Partial<FilePurposes> = {};
  for (const m of modules) {
    const own: ModuleDefinition["filePurposes"] = "filePurposes" in m ? m.filePurposes : undefined;
    for (const [purpose, rule] of Object.entries(own ?? {})) {
      if (all[purpose as keyof FilePurposes]) throw new Error(`file purpose ${purpose} is registered twice`);
      all[purpose as keyof FilePurposes] = rule;
    }
  }
  return all as FilePurposes;
}
