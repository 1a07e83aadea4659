import { forbidden } from "../errors.js";
import { requireStaff, type StaffViewer, type Viewer } from "./viewer.js";

/**
 * What each action needs, as short predicates over a staff viewer (Outline's policies).
 * The tenant boundary is not here: every query filters by the viewer's firm, so a foreign row is simply not found.
 */
const staffPolicies = {
  "tenant:read": () => true,
  "brokerProfile:update": (v: StaffViewer) => v.role === "ADMIN",
  "staff:read": () => true,
  "staff:manage": (v: StaffViewer) => v.role === "ADMIN",
  "customer:read": () => true,
  "customer:write": () => true,
  "document:read": () => true,
  "document:write": () => true,
  "documentCategory:manage": (v: StaffViewer) => v.role === "ADMIN",
  "appAccount:invite": () => true,
  "appAccount:manage": (v: StaffViewer) => v.role === "ADMIN",
  "appAccount:grant": () => true,
} satisfies Record<string, (v: StaffViewer) => boolean>;

export type StaffAction = keyof typeof staffPolicies;

/** True when the viewer is staff and may do the action. */
export function can(viewer: Viewer, action: StaffAction): boolean {
  return viewer.kind === "staff" && staffPolicies[action](viewer);
}

/** Throws UNAUTHENTICATED / FORBIDDEN, else narrows the viewer to staff. */
export function authorize(viewer: Viewer, action: StaffAction): StaffViewer {
  const staff = requireStaff(viewer);
  if (!staffPolicies[action](staff)) throw forbidden(`Your role may not do this (${action})`);
  return staff;
}
