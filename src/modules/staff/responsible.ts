import { and, inArray } from "drizzle-orm";
import type { Queryable } from "../../db/client.js";
import type { StaffViewer } from "../../auth/viewer.js";
import { badInput, notFound } from "../../errors.js";
import { decodeId } from "../../graphql/relay.js";
import { staffUsers } from "./staff.table.js";
import { staffScope } from "./staff.scope.js";

/**
 * The one check of a list of staff users made responsible for something (a customer's responsible staff, rule C1;
 * a contract's, rule E0), so that every module refuses the same things in the same words. Returns the database ids
 * in the order given.
 *
 * - an id that is not a StaffUser id: BAD_USER_INPUT naming the entry (`field.i`);
 * - a staff user named twice: BAD_USER_INPUT, rule UNIQUE;
 * - a staff user not of the viewer's firm: NOT_FOUND, exactly like a missing one;
 * - a DEACTIVATED staff user: BAD_USER_INPUT naming each such entry, rule ACTIVE_STAFF (issue 12: a deactivated user
 *   stays out of the work). An INVITED user may be named: they are about to start.
 */
export async function activeStaffIds(on: Queryable, viewer: StaffViewer, globalIds: readonly string[], field: string): Promise<string[]> {
  const ids = globalIds.map((g, i) => decodeId(g, "StaffUser", `${field}.${i}`));
  if (new Set(ids).size !== ids.length) throw badInput([{ field, rule: "UNIQUE", message: "names a staff user twice" }]);
  if (ids.length === 0) return [];
  const found = await on
    .select({ id: staffUsers.id, status: staffUsers.status })
    .from(staffUsers)
    .where(and(inArray(staffUsers.id, ids), staffScope(viewer)));
  if (found.length !== ids.length) throw notFound("Staff user");
  const status = new Map(found.map((f) => [f.id, f.status]));
  const inactive = ids.flatMap((id, i) => (status.get(id) === "DEACTIVATED" ? [i] : []));
  if (inactive.length) {
    throw badInput(inactive.map((i) => ({ field: `${field}.${i}`, rule: "ACTIVE_STAFF", message: "is deactivated and cannot be responsible; choose an active staff user" })));
  }
  return ids;
}
