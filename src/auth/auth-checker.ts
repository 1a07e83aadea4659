import type { AuthChecker } from "type-graphql";
import type { Context } from "../context.js";
import { forbidden, unauthenticated } from "../errors.js";

/** Coarse roles for `@Authorized(...)`: who may call at all. Services decide the rest. */
export type Role = "STAFF" | "APP" | "OPERATOR";

export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const v = context.viewer;
  if (v.kind === "anonymous") throw unauthenticated();
  if (roles.length === 0) return true;
  const role: Role = v.kind === "staff" ? "STAFF" : v.kind === "app" ? "APP" : "OPERATOR";
  if (roles.includes(role)) return true;
  throw forbidden();
};
