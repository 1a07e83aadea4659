import type { AuthChecker } from "type-graphql";
import type { Context } from "../context.js";
import { forbidden, unauthenticated } from "../errors.js";

/** Coarse roles for `@Authorized(...)`: who may call at all. Services decide the rest. */
export type Role = "STAFF" | "OPERATOR";

export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  const v = context.viewer;
  if (v.kind === "anonymous") throw unauthenticated();
  if (roles.length === 0) return true;
  if ((v.kind === "staff" && roles.includes("STAFF")) || (v.kind === "operator" && roles.includes("OPERATOR"))) return true;
  throw forbidden();
};
