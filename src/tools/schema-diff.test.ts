import { describe, expect, it } from "vitest";
import { diffSchemas, formatDiff } from "./schema-diff.js";

const BASE = /* GraphQL */ `
  type Query {
    customer(id: ID!): Customer
    customers(first: Int): [Customer!]!
  }

  type Customer {
    id: ID!
    name: String!
    phone: String
    legacyNumber: String @deprecated(reason: "Use \`customerNumber\`.")
    faxNumber: String @deprecated
    oldAddress: LegacyAddress @deprecated(reason: "Use \`address\`.")
  }

  type LegacyAddress {
    street: String
  }

  enum Status {
    ACTIVE
    ARCHIVED
  }
`;

describe("schema:diff", () => {
  it("lists a new field and type as safe and lets them pass", async () => {
    const next = BASE.replace("phone: String", "phone: String\n    email: String\n    status: Status").concat("\n  type Note { text: String! }\n");
    const result = await diffSchemas(BASE, next);

    expect(result.breaking).toEqual([]);
    expect(result.blocking).toEqual([]);
    expect(result.safe.map((c) => c.path).sort()).toEqual(["Customer.email", "Customer.status", "Note", "Note.text"]);
    expect(formatDiff(result)).toContain("Field 'email' was added to object type 'Customer'");
  });

  it("fails on a removed field and a changed type that were not deprecated", async () => {
    const next = BASE.replace("    phone: String\n", "").replace("name: String!", "name: String");
    const result = await diffSchemas(BASE, next);

    expect(result.blocking.map((c) => [c.type, c.path])).toEqual(
      expect.arrayContaining([
        ["FIELD_REMOVED", "Customer.phone"],
        ["FIELD_TYPE_CHANGED", "Customer.name"],
      ]),
    );
    expect(result.blocking).toHaveLength(2);
    expect(formatDiff(result)).toMatch(/Breaking \(2\)\n {2}✖ /);
  });

  it("lets a field go that was deprecated first with a reason, and the type only it returned", async () => {
    const next = BASE.replace(/ {4}legacyNumber.*\n/, "")
      .replace(/ {4}oldAddress.*\n/, "")
      .replace(/type LegacyAddress \{\s*street: String\s*\}/, "");
    const result = await diffSchemas(BASE, next);

    expect(result.breaking.map((c) => [c.path, c.deprecatedFirst])).toEqual(
      expect.arrayContaining([
        ["Customer.legacyNumber", "Use `customerNumber`."],
        ["Customer.oldAddress", "Use `address`."],
        ["LegacyAddress", "Use `address`."],
      ]),
    );
    expect(result.blocking).toEqual([]);
  });

  it("does not count a bare @deprecated, which tells an integrator nothing", async () => {
    const result = await diffSchemas(BASE, BASE.replace(/ {4}faxNumber.*\n/, ""));

    expect(result.blocking.map((c) => c.path)).toEqual(["Customer.faxNumber"]);
  });

  it("fails when an enum value a client may send or receive goes away", async () => {
    const result = await diffSchemas(BASE, BASE.replace("    ARCHIVED\n", ""));

    expect(result.blocking.map((c) => [c.type, c.path])).toEqual([["ENUM_VALUE_REMOVED", "Status.ARCHIVED"]]);
  });
});
