import { forbidden, unauthenticated } from "../errors.js";

import type { StaffPermission as StaffPermissionEnum, StaffRole as StaffRoleEnum } from "../modules/staff/staff.enums.js";

/** The staff enums as plain string unions (declared once, in staff.enums.ts). */
export type StaffRole = `${StaffRoleEnum}`;
export type StaffPermission = `${StaffPermissionEnum}`;

export interface AnonymousViewer {
  kind: "anonymous";
}
/** The platform operator, authenticated by the token from the environment. */
export interface OperatorViewer {
  kind: "operator";
}
export interface StaffViewer {
  kind: "staff";
  sessionId: string;
  tenantId: string;
  userId: string;
  role: StaffRole;
  permissions: ReadonlySet<StaffPermission>;
}
/** A customer's app login. `customerIds` is read per request: household grants (D9) work at once. */
export interface AppViewer {
  kind: "app";
  sessionId: string;
  tenantId: string;
  accountId: string;
  /** The account's own customer. */
  customerId: string;
  /** Its own customer plus every customer granted to it (rule C3/D9). */
  customerIds: ReadonlySet<string>;
}
/** Who is asking. Access is loaded per request from the database: nothing about it is frozen into the token. */
export type Viewer = AnonymousViewer | OperatorViewer | StaffViewer | AppViewer;
export type SessionViewer = StaffViewer | AppViewer;

export const anonymous: AnonymousViewer = { kind: "anonymous" };

export function requireSession(viewer: Viewer): SessionViewer {
  if (viewer.kind === "anonymous" || viewer.kind === "operator") throw unauthenticated();
  return viewer;
}

export function requireOperator(viewer: Viewer): OperatorViewer {
  if (viewer.kind === "anonymous") throw unauthenticated();
  if (viewer.kind !== "operator") throw forbidden("Only the platform operator may do this");
  return viewer;
}

