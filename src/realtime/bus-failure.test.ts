import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { nextWithin } from "../test/realtime.js";
import { AccessChangedDocument, GrantCustomerAccessDocument, LogoutDocument } from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";
import { MemoryEngine, type BusMessage } from "./engine.js";

/** A bus that is down: every publish fails (as a Redis or NOTIFY outage would). */
class BrokenBus extends MemoryEngine {
  override async publish(_message: BusMessage): Promise<void> {
    throw new Error("bus down");
  }
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { EVENT_POLL_MS: "200" }, overrides: { bus: new BrokenBus() } });
});
afterAll(() => t.close());

describe("when the bus fails", () => {
  it("a committed change still succeeds, and subscribers get its event from their next poll of the log (rule D9)", async () => {
    const f = factories(t);
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const partner = await f.buildCustomer({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const sub = app.subscribe(AccessChangedDocument, { after: "0" });
    const { grantCustomerAccess } = await firm.adminClient.request(GrantCustomerAccessDocument, {
      input: { appAccountId: toGlobalId("AppAccount", account.id), customerId: toGlobalId("Customer", partner.id) },
    });
    expect(grantCustomerAccess.appAccount.accessibleCustomers).toHaveLength(2);
    const event = await nextWithin(sub, 3_000);
    expect(event.value?.accessChanged.customers.map((c: { id: string }) => c.id)).toContain(toGlobalId("Customer", partner.id));
    await sub.return?.();
  });

  it("logout still succeeds, and the socket sweep closes the session's socket", async () => {
    const f = factories(t);
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    const connected = new Promise((resolve) => client.socket().on("connected", resolve));
    const closed = new Promise<number>((resolve) => client.socket().on("closed", (e) => resolve((e as { code: number }).code)));
    await client.socket().iterate({ query: "{ viewer { kind } }" }).next();
    await connected;
    await client.request(LogoutDocument);
    expect(await closed).toBe(4401);
  });
});
