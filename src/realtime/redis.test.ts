import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { raiseNotification, nextWithin } from "../test/realtime.js";
import { NotificationAddedDocument } from "../sdk/client.js";
import { RedisEngine } from "./redis-engine.js";
import { createLogger } from "../log.js";
import type { BusMessage } from "./engine.js";

const redisUrl = process.env.TEST_REDIS_URL;
const databaseUrl = inject("databaseUrl");

describe.skipIf(!redisUrl)("the Redis bus (REDIS_URL)", () => {
  it("delivers a message published by one engine to another, in order", async () => {
    const log = createLogger("silent");
    const [a, b] = await Promise.all([RedisEngine.connect(redisUrl!, log), RedisEngine.connect(redisUrl!, log)]);
    try {
      const tag = `test-${Date.now()}`;
      const got: BusMessage[] = [];
      const all = new Promise<void>((resolve) =>
        b.onMessage((m) => {
          if (m.payload.tag !== tag) return;
          got.push(m);
          if (got.length === 3) resolve();
        }),
      );
      for (const n of [1, 2, 3]) await a.publish({ topic: "probe", payload: { tag, n } });
      await all;
      expect(got.map((m) => m.payload.n)).toEqual([1, 2, 3]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  // Two instances on one database that share events only through Redis.
  describe.skipIf(!databaseUrl)("with two instances on PostgreSQL", () => {
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      a = await startTestServer({ env: { REDIS_URL: redisUrl! } });
      b = await startTestServer({ env: { REDIS_URL: redisUrl! }, sameDatabaseAs: a });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it("an event raised through one instance reaches a subscriber on the other", async () => {
      expect(a.app.deps.bus.name).toBe("redis");
      const staff = await factories(a).buildStaff();
      const client = await factories(b).staffClient(staff);
      const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
      await raiseNotification(a.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "über Redis" });
      expect((await nextWithin(sub)).value?.notificationAdded.notification.title).toBe("über Redis");
      await sub.return?.();
    });
  });
});
