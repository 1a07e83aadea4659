import type { Services } from "./services.js";
import type { Viewer } from "./auth/viewer.js";
import { createLoaders, type Loaders } from "./loaders.js";

/** What every resolver gets: who asks, the services, and DataLoaders fresh for this request (or subscription). */
export interface Context {
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  clientAddress: string;
  /** Scheme, host and port clients reach this server by, for absolute file URLs. */
  baseUrl: string;
}

/** Reads `Bearer <token>` (or the bare token) from a header or connection parameter. */
export function bearer(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  const token = (m?.[1] ?? value).trim();
  return token.length > 0 && token.length <= 512 ? token : undefined;
}

export async function createContext(services: Services, token: string | undefined, clientAddress: string, baseUrl: string): Promise<Context> {
  const viewer = await services.session.authenticate(token);
  return { viewer, services, loaders: createLoaders(services, viewer), clientAddress, baseUrl };
}
