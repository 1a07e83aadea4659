import type DataLoader from "dataloader";
import type { Services } from "./services.js";
import type { Viewer } from "./auth/viewer.js";
import { modules } from "./modules/index.js";

type Module = (typeof modules)[number];
type LoadersOf<M> = M extends { loaders: (services: Services, viewer: Viewer) => infer L } ? L : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every module's loaders, by name. */
export type Loaders = UnionToIntersection<LoadersOf<Module>>;

/** Batch loaders for one request (or one subscription event), scoped to the viewer: a loader never returns what the viewer may not see. */
export function createLoaders(services: Services, viewer: Viewer): Loaders {
  const all: Record<string, DataLoader<string, unknown>> = {};
  for (const m of modules) {
    if (!("loaders" in m)) continue;
    for (const [name, loader] of Object.entries(m.loaders(services, viewer))) {
      if (name in all) throw new Error(`loader ${name} is defined by two modules`);
      all[name] = loader;
    }
  }
  return all as Loaders;
}
