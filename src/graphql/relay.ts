import { Field, ID, InterfaceType } from "type-graphql";
import { badInput } from "../errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Relay's Node: every object with an id can be fetched again by it through `node(id)`. */
@InterfaceType({ description: "An object with a globally unique, opaque ID." })
export abstract class Node {
  @Field(() => ID, { description: "Opaque global ID: store and pass it back as it is, never parse it. `node(id)` fetches the object again." })
  id!: string;
}

/** Opaque global id: base64url of `Type:uuid`. Clients must not parse it. */
export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString("base64url");
}

/** Decodes a global id; returns null for anything that is not one of ours. */
export function fromGlobalId(globalId: string): { type: string; id: string } | null {
  if (globalId.length > 200) return null;
  const raw = Buffer.from(globalId, "base64url").toString("utf8");
  const sep = raw.indexOf(":");
  if (sep < 1) return null;
  const type = raw.slice(0, sep);
  const id = raw.slice(sep + 1);
  return UUID.test(id) ? { type, id } : null;
}

/**
 * The database id behind a global id of the expected type. A malformed id is bad input;
 * an id of another type decodes to a uuid no row of this type has, so it ends as NOT_FOUND like a missing one.
 */
export function decodeId(globalId: string, type: string, field: string): string {
  const decoded = fromGlobalId(globalId);
  if (!decoded) throw badInput([{ field, rule: "GLOBAL_ID", message: "is not a valid ID" }]);
  return decoded.type === type ? decoded.id : "00000000-0000-0000-0000-000000000000";
}
