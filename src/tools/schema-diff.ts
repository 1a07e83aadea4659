// `npm run schema:diff [-- <base-ref> [<new-ref>]]`: lists breaking, dangerous and safe changes of
// schema/schema.graphql against a git ref, and exits 1 on a breaking change to an element that was not
// deprecated first. Integrators get one release of warning (`@deprecated(reason: ...)`) before anything
// they use disappears or changes shape.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { diff, CriticalityLevel, ChangeType, type Change } from "@graphql-inspector/core";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from "graphql";

export const SCHEMA_PATH = "schema/schema.graphql";

export type ChangeLevel = "BREAKING" | "DANGEROUS" | "SAFE";

export interface SchemaChange {
  level: ChangeLevel;
  type: string;
  path: string | null;
  message: string;
  /** For a breaking change: the deprecation reason in the base schema that announced it, if there was one. */
  deprecatedFirst: string | null;
}

export interface SchemaDiff {
  breaking: SchemaChange[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
  /** Breaking changes to elements that were not deprecated (with a reason) in the base schema. */
  blocking: SchemaChange[];
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: "BREAKING",
  [CriticalityLevel.Dangerous]: "DANGEROUS",
  [CriticalityLevel.NonBreaking]: "SAFE",
};

interface WithDirectives {
  readonly astNode?: { readonly directives?: ReadonlyArray<ConstDirectiveNode> } | null | undefined;
}

// Only an explicit, non-empty reason counts: a bare `@deprecated` gets graphql's default
// "No longer supported", which tells an integrator nothing about what to use instead.
function explicitDeprecation(element: WithDirectives | undefined): string | null {
  const directive = element?.astNode?.directives?.find((d) => d.name.value === "deprecated");
  const reason = directive?.arguments?.find((a) => a.name.value === "reason")?.value;
  return reason?.kind === Kind.STRING && reason.value.trim() !== "" ? reason.value : null;
}

/** The deprecation reason of the element at an inspector path ("Type.field.arg", "Enum.VALUE", ...) or of its field. */
function deprecationAt(schema: GraphQLSchema, path: string): string | null {
  const [typeName, member, argName] = path.split(".");
  const type = typeName === undefined ? undefined : schema.getType(typeName);
  if (!type || member === undefined) return null;
  if (isObjectType(type) || isInterfaceType(type)) {
    const field = type.getFields()[member];
    const arg = argName === undefined ? undefined : field?.args.find((a) => a.name === argName);
    return explicitDeprecation(arg) ?? explicitDeprecation(field);
  }
  if (isInputObjectType(type)) return explicitDeprecation(type.getFields()[member]);
  if (isEnumType(type)) return explicitDeprecation(type.getValue(member) ?? undefined);
  return null;
}

// A type cannot carry @deprecated, but removing the last deprecated field that returned it also removes
// the type. That is allowed when every reference to it in the base schema was deprecated; a type reached
// any other way (union member, interface, a live field or argument) was usable and its removal breaks.
function removedTypeDeprecation(schema: GraphQLSchema, typeName: string): string | null {
  const reasons: Array<string | null> = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isUnionType(type) && type.getTypes().some((t) => t.name === typeName)) reasons.push(null);
    if ((isObjectType(type) || isInterfaceType(type)) && type.getInterfaces().some((i) => i.name === typeName)) reasons.push(null);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (getNamedType(field.type).name === typeName) reasons.push(explicitDeprecation(field));
        for (const arg of field.args) {
          if (getNamedType(arg.type).name === typeName) reasons.push(explicitDeprecation(arg) ?? explicitDeprecation(field));
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (getNamedType(field.type).name === typeName) reasons.push(explicitDeprecation(field));
      }
    }
  }
  const [first] = reasons;
  return first !== undefined && reasons.every((r) => r !== null) ? first : null;
}

function deprecatedFirst(base: GraphQLSchema, change: Change): string | null {
  if (!change.path) return null;
  if (change.type === ChangeType.TypeRemoved) return removedTypeDeprecation(base, change.path);
  return deprecationAt(base, change.path);
}

/** Compares two SDL documents; no git involved. */
export async function diffSchemas(baseSdl: string, newSdl: string): Promise<SchemaDiff> {
  const base = buildSchema(baseSdl);
  const changes = await diff(base, buildSchema(newSdl));
  const all: SchemaChange[] = changes.map((change) => {
    const level = LEVELS[change.criticality.level];
    return {
      level,
      type: String(change.type),
      path: change.path ?? null,
      message: change.message,
      deprecatedFirst: level === "BREAKING" ? deprecatedFirst(base, change) : null,
    };
  });
  const breaking = all.filter((c) => c.level === "BREAKING");
  return {
    breaking,
    dangerous: all.filter((c) => c.level === "DANGEROUS"),
    safe: all.filter((c) => c.level === "SAFE"),
    blocking: breaking.filter((c) => c.deprecatedFirst === null),
  };
}

export function formatDiff(result: SchemaDiff): string {
  const lines: string[] = [];
  const section = (title: string, changes: SchemaChange[], mark: (c: SchemaChange) => string): void => {
    lines.push(`${title} (${changes.length})`);
    for (const change of changes) lines.push(`  ${mark(change)} ${change.message}`);
  };
  section("Breaking", result.breaking, (c) => (c.deprecatedFirst === null ? "✖" : `✔ deprecated first ("${c.deprecatedFirst}"):`));
  section("Dangerous", result.dangerous, () => "!");
  section("Safe", result.safe, () => "+");
  return lines.join("\n");
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function isCommit(ref: string): boolean {
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

// A branch is compared with where it left origin/main; main itself (or a clone without a remote, as in
// CI) with its previous commit.
function defaultBase(): string | null {
  if (isCommit("origin/main")) {
    const mergeBase = git(["merge-base", "HEAD", "origin/main"]);
    if (mergeBase !== git(["rev-parse", "HEAD"])) return mergeBase;
  }
  return isCommit("HEAD~1") ? "HEAD~1" : null;
}

function schemaAt(ref: string): string | null {
  try {
    return git(["show", `${ref}:${SCHEMA_PATH}`]);
  } catch {
    return null;
  }
}

async function main(args: string[]): Promise<number> {
  const [baseArg, newRef] = args;
  const baseRef = baseArg ?? defaultBase();
  if (baseRef === null) {
    console.log("schema:diff: no base commit to compare with (a single commit or a shallow clone); nothing to check");
    return 0;
  }
  for (const ref of [baseRef, newRef]) {
    if (ref !== undefined && !isCommit(ref)) {
      console.error(`schema:diff: '${ref}' is not a commit`);
      return 2;
    }
  }
  const baseSdl = schemaAt(baseRef);
  if (baseSdl === null) {
    console.log(`schema:diff: ${baseRef} has no ${SCHEMA_PATH}; nothing to compare`);
    return 0;
  }
  const newSdl = newRef === undefined ? readFileSync(new URL(`../../${SCHEMA_PATH}`, import.meta.url), "utf8") : schemaAt(newRef);
  if (newSdl === null) {
    console.error(`schema:diff: ${newRef} has no ${SCHEMA_PATH}`);
    return 2;
  }
  const result = await diffSchemas(baseSdl, newSdl);
  console.log(`${SCHEMA_PATH}: ${newRef ?? "working tree"} against ${baseRef}`);
  console.log(formatDiff(result));
  if (result.blocking.length > 0) {
    console.error(
      `\n${result.blocking.length} breaking change(s) to elements that were not deprecated first. ` +
        `Mark them @deprecated(reason: "what to use instead") in one release and change or remove them in a later one.`,
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
