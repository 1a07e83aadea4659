/**
 * Sweeping abandoned uploads when storage refuses a delete (an S3 outage cannot be made here; a store that
 * refuses one key stands in for it): the other files' bytes are still removed, the refused key is logged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories, upload } from "../test/factories.js";
import { PDF } from "../test/fixtures.js";
import { fromGlobalId } from "../graphql/relay.js";
import { files } from "./file.table.js";
import { DiskStorage } from "./storage.js";
import { ABANDONED_AFTER_MS } from "./file.service.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-sweep-"));
const disk = new DiskStorage(root);
/** Keys whose delete fails, as S3 does when it is down. */
const refused = new Set<string>();
const storage = Object.assign(Object.create(disk) as DiskStorage, {
  async delete(key: string) {
    if (refused.has(key)) throw new Error(`storage unavailable (${key})`);
    return disk.delete(key);
  },
});

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer({ overrides: { storage } });
  f = factories(t);
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const keyOf = async (fileId: string) => (await t.app.deps.database.db.select().from(files).where(eq(files.id, fromGlobalId(fileId)!.id)))[0]!.storageKey;

describe("sweeping abandoned uploads", () => {
  it("removes every other file's bytes when storage refuses one delete", async () => {
    const firm = await f.buildFirm();
    const uploads = [];
    for (let i = 0; i < 3; i++) uploads.push(await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" }));
    const keys = await Promise.all(uploads.map((u) => keyOf(u.fileId)));
    for (const key of keys) expect(await disk.head(key)).toEqual({ size: PDF.length });
    refused.add(keys[0]!);

    // Past the hour, and past the worker's minute between cleanings.
    t.clock.advance(ABANDONED_AFTER_MS + 61_000);
    await t.app.worker.runOnce();
    t.clock.advance(61_000);
    await t.app.worker.runOnce();

    expect(await t.app.deps.database.db.select().from(files).where(eq(files.storageKey, keys[1]!))).toEqual([]);
    expect(await disk.head(keys[1]!)).toBeNull();
    expect(await disk.head(keys[2]!)).toBeNull();
    // The refused one is left in storage (and logged with its key for the operator), not the whole batch.
    expect(await disk.head(keys[0]!)).toEqual({ size: PDF.length });
  });
});
