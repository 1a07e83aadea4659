/** Who may call the session module's operations (run by src/test/isolation.test.ts). */
import { LogoutDocument } from "../../sdk/client.js";
import type { ModuleAccess } from "../../test/access-registry.js";

export const sessionAccess: ModuleAccess = {
  operations: [{ name: "logout", access: "staff", app: "ok", call: (c) => c.request(LogoutDocument) }],
  byId: [],
  lists: [],
  subscriptions: [],
  // Open to everyone by design: who am I, and the way to log in.
  open: ["viewer", "login"],
  pending: [],
};
