import type DataLoader from "dataloader";
import type { Services } from "./services.js";
import { anonymous, type Viewer } from "./auth/viewer.js";
import { modules } from "./modules/index.js";

type Module = (typeof modules)[number];
type LoadersOf<M> = M extends { loaders: (services: Services, viewer: Viewer) => infer L } ? L : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type ModuleWithLoaders = Extract<Module, { loaders: unknown }>;
type LoaderSet = Record<string, DataLoader<string, unknown>>;

/** Every module's loaders, by name. */
export type Loaders = UnionToIntersection<LoadersOf<Module>>;

/** Each request's (and each subscription's) loaders: a module's set is made when one of its loaders is first used. */
interface LazyLoaders {
  readonly services: Services;
  readonly viewer: Viewer;
  readonly sets: Map<ModuleWithLoaders, LoaderSet>;
}

let Lazy: (new (services: Services, viewer: Viewer) => LazyLoaders) | undefined;

/**
 * The class behind `createLoaders`, made once per process: a getter per loader name on its prototype. A request
 * that touches two modules builds their loaders only, and an idle subscription holds one small object instead
 * of every module's DataLoaders (issue 14: CPU per request, memory per connection).
 */
function lazyClass(services: Services): new (services: Services, viewer: Viewer) => LazyLoaders {
  class LazyLoadersImpl implements LazyLoaders {
    readonly sets = new Map<ModuleWithLoaders, LoaderSet>();
    constructor(
      readonly services: Services,
      readonly viewer: Viewer,
    ) {}
  }
  const seen = new Set<string>();
  for (const m of modules) {
    if (!("loaders" in m)) continue;
    const module = m as ModuleWithLoaders;
    // The names only: loaders are plain objects, made without touching the database.
    for (const name of Object.keys(module.loaders(services, anonymous))) {
      if (seen.has(name)) throw new Error(`loader ${name} is defined by two modules`);
      seen.add(name);
      Object.defineProperty(LazyLoadersImpl.prototype, name, {
        configurable: true,
        get(this: LazyLoaders) {
          let set = this.sets.get(module);
          if (!set) this.sets.set(module, (set = module.loaders(this.services, this.viewer) as LoaderSet));
          return set[name];
        },
      });
    }
  }
  return LazyLoadersImpl;
}

/** Batch loaders for one request (or one subscription event), scoped to the viewer: a loader never returns what the viewer may not see. */
export function createLoaders(services: Services, viewer: Viewer): Loaders {
  Lazy ??= lazyClass(services);
  return new Lazy(services, viewer) as unknown as Loaders;
}
