import { sql, eq, type SQL, type Column } from "drizzle-orm";
import { forbidden, unauthenticated } from "../errors.js";
import type { AppViewer, SessionViewer, StaffPermission, StaffViewer, Viewer } from "./viewer.js";

/**
 * Policies: one file per resource (`<f>.policy.ts`) says, as short predicates, what a viewer may do to it
 * (Outline's `server/policies/`). `can()` answers; `authorize()` throws and narrows the viewer.
 *
 * The firm and the customers a viewer may see are not decided here but by the resource's scope
 * (`<f>.scope.ts`, SQL): a row outside the scope is never loaded, so it is NOT_FOUND like a missing one.
 * A policy decides what a viewer may do with what it can see: staff roles, the CHAT and CLAIMS
 * permissions, and what an app account may do with its customers' rows.
 */

type Who = "staff" | "app" | "session";
type ViewerOf<W extends Who> = W extends "staff" ? StaffViewer : W extends "app" ? AppViewer : SessionViewer;

/** One action: who may attempt it at all, and the condition on the viewer (and the resource, where there is one). */
export interface Rule<W extends Who, R> {
  readonly who: W;
  when?(viewer: ViewerOf<W>, resource: R): boolean;
  readonly denied?: string;
}

/** Any staff user of the firm (optionally: who meets `when`). */
export const staff = <R = undefined>(when?: (v: StaffViewer, r: R) => boolean, denied?: string): Rule<"staff", R> => ({ who: "staff", when, denied });
/** Staff users with the ADMIN role. */
export const admin = <R = undefined>(when?: (v: StaffViewer, r: R) => boolean): Rule<"staff", R> => ({
  who: "staff",
  when: (v, r) => v.role === "ADMIN" && (when?.(v, r) ?? true),
  denied: "Only admins may do this",
});
/** Staff users holding a permission (rule B1: CHAT, CLAIMS). */
export const permitted = <R = undefined>(permission: StaffPermission, when?: (v: StaffViewer, r: R) => boolean): Rule<"staff", R> => ({
  who: "staff",
  when: (v, r) => v.permissions.has(permission) && (when?.(v, r) ?? true),
  denied: `This needs the ${permission} permission`,
});
/** App accounts (optionally: with a condition on the resource, e.g. one of its customers'). */
export const app = <R = undefined>(when?: (v: AppViewer, r: R) => boolean): Rule<"app", R> => ({ who: "app", when });
/** Staff and app accounts alike. */
export const session = <R = undefined>(when?: (v: SessionViewer, r: R) => boolean): Rule<"session", R> => ({ who: "session", when });

/** Either of two rules: staff under one condition, app accounts under another. */
export const either = <R = undefined>(staffRule: Rule<"staff", R>, appRule: Rule<"app", R>): Rule<"session", R> => ({
  who: "session",
  when: (v, r) => (v.kind === "staff" ? (staffRule.when?.(v, r) ?? true) : (appRule.when?.(v, r) ?? true)),
  denied: staffRule.denied,
});

type Rules = Record<string, Rule<Who, never>>;
type ResourceOf<X> = X extends Rule<Who, infer R> ? R : never;
type WhoOf<X> = X extends Rule<infer W, never> ? W : never;

function admits(who: Who, v: SessionViewer): boolean {
  return who === "session" || who === v.kind;
}

export interface Policy<T extends Rules> {
  readonly resource: string;
  /** True when the viewer may do the action (to the resource). */
  can<A extends keyof T & string>(viewer: Viewer, action: A, ...resource: ResourceOf<T[A]> extends undefined ? [] : [ResourceOf<T[A]>]): boolean;
  /** Throws UNAUTHENTICATED (no session) or FORBIDDEN, else returns the viewer narrowed to who may do it. */
  authorize<A extends keyof T & string>(
    viewer: Viewer,
    action: A,
    ...resource: ResourceOf<T[A]> extends undefined ? [] : [ResourceOf<T[A]>]
  ): ViewerOf<WhoOf<T[A]>>;
}

/** A resource's policy from its rules, e.g. `definePolicy("document", { list: session(), setVisibility: staff() })`. */
export function definePolicy<const T extends Rules>(resource: string, rules: T): Policy<T> {
  const check = (viewer: Viewer, action: string, r: unknown): { ok: true; viewer: SessionViewer } | { ok: false; error: Error } => {
    if (viewer.kind !== "staff" && viewer.kind !== "app") return { ok: false, error: unauthenticated() };
    const rule = rules[action] as Rule<Who, unknown> | undefined;
    if (!rule || !admits(rule.who, viewer)) {
      return { ok: false, error: forbidden(viewer.kind === "app" ? "Customer app accounts may not do this" : "Only customer app accounts may do this") };
    }
    const when = rule.when as ((v: SessionViewer, r: unknown) => boolean) | undefined;
    if (when && !when(viewer, r)) return { ok: false, error: forbidden(rule.denied ?? "You are not allowed to do this") };
    return { ok: true, viewer };
  };
  return {
    resource,
    can: (viewer, action, ...r) => check(viewer, action, r[0]).ok,
    authorize: ((viewer: Viewer, action: string, ...r: unknown[]) => {
      const result = check(viewer, action, r[0]);
      if (!result.ok) throw result.error;
      return result.viewer;
    }) as unknown as Policy<T>["authorize"],
  };
}

/** The scope of a firm table: the viewer's firm, or nothing for viewers outside any firm. */
export function firmScope(tenantColumn: Column): (viewer: Viewer) => SQL {
  return (viewer) => (viewer.kind === "staff" || viewer.kind === "app" ? eq(tenantColumn, viewer.tenantId) : sql`false`);
}

/** Matches no row (a viewer that may see none of a resource). */
export const nothing: SQL = sql`false`;
