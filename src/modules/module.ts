import type DataLoader from "dataloader";
import type { Context } from "../context.js";
import type { Services } from "../services.js";
import type { Viewer } from "../auth/viewer.js";
import type { Node } from "../graphql/relay.js";
import type { FilePurpose, FilePurposeRule } from "../files/purposes.js";

/** Loads a node of one type for `node(id)`; a row the viewer may not see is null (NOT_FOUND, like a missing one). */
export type NodeFinder = (ctx: Context, id: string) => Promise<Node | null>;

/**
 * Everything a module contributes, listed once in its `<f>.module.ts` and registered by one line in
 * `src/modules/index.ts`: the schema, the loaders of every request, `node(id)`, drizzle-kit and the file
 * pipeline all read it from there.
 */
export interface ModuleDefinition {
  name: string;
  /** type-graphql resolver classes. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's own type for resolver classes
  resolvers: Function[];
  /** The module's `<f>.table.ts`, imported as a namespace (tables and their pgEnums). */
  tables: Record<string, unknown>;
  /** DataLoaders for one request (or one subscription event), scoped to the viewer by the module's service. */
  loaders?: (services: Services, viewer: Viewer) => Record<string, DataLoader<string, unknown>>;
  /** Global-id type names this module answers `node(id)` for. */
  nodes?: Record<string, NodeFinder>;
  /** Upload purposes this module owns: accepted types and sizes, who may upload, who may download. */
  filePurposes?: Partial<Record<FilePurpose, FilePurposeRule>>;
}

/** Keeps the literal types of a module (its loaders' names and types reach `Context.loaders`). */
export const defineModule = <const M extends ModuleDefinition>(m: M): M => m;
