import type http from "node:http";
import type { Database } from "../db/client.js";
import { ping } from "../db/migrate.js";
import { sendJson } from "./respond.js";

export const LIVENESS_PATH = "/healthz";
export const READINESS_PATH = "/readyz";

/** Liveness: the process answers. */
export function sendLiveness(res: http.ServerResponse): void {
  sendJson(res, 200, { status: "ok" });
}

/** Readiness: not while shutting down (so a load balancer stops sending work), and only with a database that answers. */
export async function sendReadiness(res: http.ServerResponse, opts: { shuttingDown: boolean; database: Database }): Promise<void> {
  const ok = !opts.shuttingDown && (await ping(opts.database));
  sendJson(res, ok ? 200 : 503, { status: ok ? "ready" : "unavailable" });
}
