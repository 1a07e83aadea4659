import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import {
  AcceptStaffInvitationDocument,
  ApiError,
  ChangeMyPasswordDocument,
  InviteCustomersDocument,
  LoginDocument,
  RegisterDocument,
  RequestPasswordResetDocument,
  RequestStaffPasswordResetDocument,
  ResetPasswordDocument,
  ResetStaffPasswordDocument,
} from "../sdk/client.js";
import { argon2Hasher, type PasswordHasher } from "./password.js";
import { CREDENTIAL_LIMITS, INVITATION_MAIL_LIMITS, LOGIN_LIMITS, MAIL_LIMITS } from "./rate-limit.js";
import { rateLimits } from "../modules/session/session.table.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { clientAddress } from "../http/graphql-http.js";
import { toGlobalId } from "../graphql/relay.js";

/** Counts every password check the server makes, so a test sees how many guesses were really tried. */
let verifies = 0;
const countingHasher: PasswordHasher = {
  hash: (password) => argon2Hasher.hash(password),
  verify: (hash, password) => {
    verifies++;
    return argon2Hasher.verify(hash, password);
  },
};

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer({ overrides: { hasher: countingHasher } });
  f = factories(t);
});
afterAll(() => t.close());

const db = () => t.app.deps.database.db;
const counter = async (key: string): Promise<number> => (await db().select().from(rateLimits).where(eq(rateLimits.key, key)))[0]?.count ?? -1;
const codeOf = (r: PromiseSettledResult<unknown>): string => (r.status === "fulfilled" ? "OK" : r.reason instanceof ApiError ? r.reason.code : String(r.reason));
const tally = (results: Array<PromiseSettledResult<unknown>>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of results) out[codeOf(r)] = (out[codeOf(r)] ?? 0) + 1;
  return out;
};
const pairKey = (account: string, address: string) => `login:pair0:${account}|${address}`;
const addressOf = (client: ReturnType<TestServer["client"]>): string =>
  (client as unknown as { options: { headers: Record<string, string> } }).options.headers["x-forwarded-for"]!;

describe("login attempts are counted before the password is checked", () => {
  it("counts 200 parallel wrong passwords from one address exactly and checks only the allowed number", async () => {
    const staff = await f.buildStaff();
    const attacker = t.client();
    verifies = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => attacker.request(LoginDocument, { input: { email: staff.email, password: `Falsch-${i}-Versuch!` } })),
    );
    const allowed = LOGIN_LIMITS.pair[0]!.max;
    expect(tally(results)).toEqual({ UNAUTHENTICATED: allowed, RATE_LIMITED: 200 - allowed });
    expect(verifies).toBe(allowed);
    expect(await counter(pairKey(`staff:${staff.email}`, addressOf(attacker)))).toBe(200);
    expect(await counter(`login:account:staff:${staff.email}`)).toBe(200);
  });

  it("counts parallel wrong passwords sent over one WebSocket the same way", async () => {
    const victim = await f.buildStaff();
    const attacker = await f.staffClient(await f.buildStaff());
    verifies = 0;
    const tries = Array.from({ length: 20 }, (_, i) => attacker.subscribe(LoginDocument, { input: { email: victim.email, password: `Falsch-${i}-Socket!` } }).next());
    const results = await Promise.allSettled(tries);
    const allowed = LOGIN_LIMITS.pair[0]!.max;
    expect(tally(results)).toEqual({ UNAUTHENTICATED: allowed, RATE_LIMITED: 20 - allowed });
    expect(verifies).toBe(allowed);
    // Without a forwarding header on the handshake, the socket's peer is the address.
    expect(await counter(pairKey(`staff:${victim.email}`, "127.0.0.1"))).toBe(20);
  });

  it("counts 200 parallel wrong passwords from 200 addresses exactly against the account ceiling", async () => {
    const account = await f.buildAppAccount();
    verifies = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        t.client().request(LoginDocument, { input: { email: account.email, brokerId: account.tenant.brokerId, password: `Falsch-${i}-Versuch!` } }),
      ),
    );
    const ceiling = LOGIN_LIMITS.account.max;
    expect(tally(results)).toEqual({ UNAUTHENTICATED: ceiling, RATE_LIMITED: 200 - ceiling });
    expect(verifies).toBe(ceiling);
    expect(await counter(`login:account:app:${account.tenant.brokerId}:${account.email}`)).toBe(200);
  });

  it("gives no token to a correct password hidden among 40 parallel guesses once the limit is hit (one address)", async () => {
    const staff = await f.buildStaff();
    const attacker = t.client();
    await Promise.allSettled(Array.from({ length: LOGIN_LIMITS.pair[0]!.max }, (_, i) => attacker.request(LoginDocument, { input: { email: staff.email, password: `Falsch-${i}!aA` } })));
    verifies = 0;
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 20 ? staff.password : `Falsch-${i}-Raten!`));
    const results = await Promise.allSettled(guesses.map((password) => attacker.request(LoginDocument, { input: { email: staff.email, password } })));
    expect(tally(results)).toEqual({ RATE_LIMITED: 40 });
    expect(verifies).toBe(0);
    const limited = results[20] as PromiseRejectedResult;
    expect((limited.reason as ApiError).errors[0]!.extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("gives no token to a correct password hidden among 40 parallel guesses from 40 addresses once the ceiling is hit", async () => {
    const staff = await f.buildStaff();
    await Promise.allSettled(
      Array.from({ length: LOGIN_LIMITS.account.max }, (_, i) => t.client().request(LoginDocument, { input: { email: staff.email, password: `Falsch-${i}!aA` } })),
    );
    verifies = 0;
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 13 ? staff.password : `Falsch-${i}-Raten!`));
    const results = await Promise.allSettled(guesses.map((password) => t.client().request(LoginDocument, { input: { email: staff.email, password } })));
    expect(tally(results)).toEqual({ RATE_LIMITED: 40 });
    expect(verifies).toBe(0);
  });

  it("lets at most the allowed number of 40 parallel guesses be checked when the correct one is among them from the start", async () => {
    const staff = await f.buildStaff();
    const attacker = t.client();
    verifies = 0;
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? staff.password : `Falsch-${i}-Raten!`));
    const results = await Promise.allSettled(guesses.map((password) => attacker.request(LoginDocument, { input: { email: staff.email, password } })));
    expect(verifies).toBe(LOGIN_LIMITS.pair[0]!.max);
    expect(results.filter((r) => codeOf(r) === "RATE_LIMITED")).toHaveLength(40 - LOGIN_LIMITS.pair[0]!.max);
  });
});

describe("the owner is not locked out by an attack from elsewhere", () => {
  it("lets the owner in from their usual address while 150 other addresses hammer the account", async () => {
    const staff = await f.buildStaff();
    const owner = t.client();
    await owner.request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    const attack = await Promise.allSettled(
      Array.from({ length: 150 }, (_, i) => t.client().request(LoginDocument, { input: { email: staff.email, password: `Falsch-${i}-Angriff!` } })),
    );
    expect(tally(attack).RATE_LIMITED).toBe(150 - LOGIN_LIMITS.account.max);
    // The owner, at the same time as more of the attack, from the address they logged in from before.
    const [mine, ...more] = await Promise.allSettled([
      owner.request(LoginDocument, { input: { email: staff.email, password: staff.password } }),
      ...Array.from({ length: 20 }, () => t.client().request(LoginDocument, { input: { email: staff.email, password: "Falsch-Noch-Einmal!" } })),
    ]);
    expect(codeOf(mine!)).toBe("OK");
    expect(tally(more)).toEqual({ RATE_LIMITED: 20 });
    // A mistyped password from the usual address is still only the owner's own pair.
    await expectApiError(owner.request(LoginDocument, { input: { email: staff.email, password: "Vertippt-123!x" } }), "UNAUTHENTICATED");
    await owner.request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    // A new address meets the ceiling until the window ends.
    await expectApiError(t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } }), "RATE_LIMITED");
  });

  it("lets the owner in from their address while one attacker address has used up its pair", async () => {
    const account = await f.buildAppAccount();
    const attacker = t.client();
    await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => attacker.request(LoginDocument, { input: { email: account.email, brokerId: account.tenant.brokerId, password: `Falsch-${i}!aA` } })),
    );
    await expectApiError(attacker.request(LoginDocument, { input: { email: account.email, brokerId: account.tenant.brokerId, password: account.password } }), "RATE_LIMITED");
    const { login } = await t.client().request(LoginDocument, { input: { email: account.email, brokerId: account.tenant.brokerId, password: account.password } });
    expect(login.viewer.kind).toBe("APP_ACCOUNT");
  });

  it("grows the delay for one pair: a quarter hour after 5 attempts, an hour after 10, a day after 20", async () => {
    const staff = await f.buildStaff();
    const guesser = t.client();
    const wrong = () => guesser.request(LoginDocument, { input: { email: staff.email, password: "Falsch-Wieder-1!" } });
    const retryAfter = async (): Promise<number> => (await expectApiError(wrong(), "RATE_LIMITED")).errors[0]!.extensions!.retryAfterSeconds as number;
    for (let i = 0; i < 5; i++) await expectApiError(wrong(), "UNAUTHENTICATED");
    expect(await retryAfter()).toBeLessThanOrEqual(15 * 60);
    t.clock.advance(15 * 60_000 + 1_000);
    // 6 counted in the hour so far (the refused one too): four more are checked, then the hour holds.
    for (let i = 0; i < 4; i++) await expectApiError(wrong(), "UNAUTHENTICATED");
    const hourWait = await retryAfter();
    expect(hourWait).toBeGreaterThan(15 * 60);
    expect(hourWait).toBeLessThanOrEqual(60 * 60);
    t.clock.advance(60 * 60_000 + 1_000);
    for (let i = 0; i < 5; i++) await expectApiError(wrong(), "UNAUTHENTICATED");
    await retryAfter();
    t.clock.advance(15 * 60_000 + 1_000);
    for (let i = 0; i < 3; i++) await expectApiError(wrong(), "UNAUTHENTICATED");
    expect(await retryAfter()).toBeGreaterThan(60 * 60);
    // The owner elsewhere is not affected.
    await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } });
  });
});

describe("link-based password setting and changeMyPassword are counted before anything is checked", () => {
  it("throttles 100 parallel registrations, resets and invitation acceptances from one address before hashing", async () => {
    const attacker = t.client();
    const max = CREDENTIAL_LIMITS.address.max;
    const fake = (i: number) => `ki_${String(i).padStart(43, "x")}`;
    verifies = 0;
    const calls: Array<(i: number) => Promise<unknown>> = [
      (i) => attacker.request(RegisterDocument, { input: { email: "wer@example.test", token: fake(i), password: "Sicher-Passwort-42" } }),
      (i) => attacker.request(ResetPasswordDocument, { input: { token: fake(i), password: "Sicher-Passwort-42" } }),
      (i) => attacker.request(ResetStaffPasswordDocument, { input: { token: fake(i), password: "Sicher-Passwort-42" } }),
      (i) => attacker.request(AcceptStaffInvitationDocument, { input: { token: fake(i), password: "Sicher-Passwort-42" } }),
    ];
    for (const call of calls) {
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => call(i)));
      expect(tally(results)).toEqual({ BAD_USER_INPUT: max, RATE_LIMITED: 100 - max });
    }
  });

  it("counts wrong current passwords in changeMyPassword sent in parallel, and checks only the allowed number", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    verifies = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => client.request(ChangeMyPasswordDocument, { input: { currentPassword: `Falsch-${i}-Raten!`, newPassword: "Ganz-Neues-Passwort-77" } })),
    );
    const allowed = CREDENTIAL_LIMITS.user[0]!.max;
    expect(tally(results)).toEqual({ BAD_USER_INPUT: allowed, RATE_LIMITED: 50 - allowed });
    expect(verifies).toBe(allowed);
    await expectApiError(client.request(ChangeMyPasswordDocument, { input: { currentPassword: staff.password, newPassword: "Ganz-Neues-Passwort-77" } }), "RATE_LIMITED");
  });
});

describe("behind a proxy", () => {
  const req = (xff: string | undefined, peer = "192.0.2.1") =>
    ({ headers: xff === undefined ? {} : { "x-forwarded-for": xff }, socket: { remoteAddress: peer } }) as unknown as http.IncomingMessage;

  it("takes the client address from the right of X-Forwarded-For, trusting only the configured hops", () => {
    expect(clientAddress(req("6.6.6.6, 203.0.113.7"), 0)).toBe("192.0.2.1");
    expect(clientAddress(req("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(req("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    expect(clientAddress(req("203.0.113.7"), 2)).toBe("203.0.113.7");
    expect(clientAddress(req(undefined), 1)).toBe("192.0.2.1");
    expect(clientAddress(req(""), 1)).toBe("192.0.2.1");
  });

  it("counts forged X-Forwarded-For entries against the address the proxy saw (TRUST_PROXY=true is one hop)", async () => {
    expect(t.config.trustProxy).toBe(1);
    const real = "198.51.100.23";
    const forging = (i: number) =>
      fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `198.18.${i}.1, 198.19.${i}.2, ${real}` },
        body: JSON.stringify({
          query: "mutation($input: LoginInput!) { login(input: $input) { token } }",
          variables: { input: { email: `spray-${i}@example.test`, password: "Falsch-123!aA" } },
        }),
      }).then((r) => r.json() as Promise<{ errors?: Array<{ extensions: { code: string } }> }>);
    const bodies = await Promise.all(Array.from({ length: 40 }, (_, i) => forging(i)));
    const codes = bodies.map((b) => b.errors?.[0]?.extensions.code);
    expect(codes.filter((c) => c === "UNAUTHENTICATED")).toHaveLength(LOGIN_LIMITS.address.max);
    expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(40 - LOGIN_LIMITS.address.max);
    expect(await counter(`login:addr:${real}`)).toBe(40);
    // The forged entries counted nothing. (Matched as whole addresses: the test clients' random 10.x.y.z may hold "198.1x.".)
    const forged = /(^|[:|])198\.1[89]\.\d+\.\d+$/;
    expect((await db().select({ key: rateLimits.key }).from(rateLimits)).filter((r) => forged.test(r.key))).toEqual([]);
  });
});

describe("mail floods", () => {
  const mailsTo = async (to: string) => db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, to));

  it("sends a few reset mails to one app account however many addresses ask, and always answers ok", async () => {
    const account = await f.buildAppAccount();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => t.client().request(RequestPasswordResetDocument, { input: { email: account.email, brokerId: account.tenant.brokerId } })),
    );
    expect(tally(results)).toEqual({ OK: 30 });
    expect(await mailsTo(account.email)).toHaveLength(MAIL_LIMITS.account.max);
  });

  it("sends a few reset mails to one staff user however many addresses ask", async () => {
    const staff = await f.buildStaff();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => t.client().request(RequestStaffPasswordResetDocument, { input: { email: staff.email } })));
    expect(tally(results)).toEqual({ OK: 30 });
    expect(await mailsTo(staff.email)).toHaveLength(MAIL_LIMITS.account.max);
  });

  it("limits reset mails per recipient across the firms where the address has a login", async () => {
    const email = `geteilt-${Date.now()}@example.test`;
    const accounts = await Promise.all(Array.from({ length: 4 }, () => f.buildAppAccount({ email })));
    await Promise.all(
      accounts.flatMap((a) => [0, 1, 2].map(() => t.client().request(RequestPasswordResetDocument, { input: { email, brokerId: a.tenant.brokerId } }))),
    );
    expect(await mailsTo(email)).toHaveLength(MAIL_LIMITS.recipient.max);
  });

  it("limits invitation mails to one customer however many staff users send them", async () => {
    const firm = await f.buildFirm();
    const others = await Promise.all([0, 1, 2, 3].map(() => f.buildStaff({ tenant: firm.tenant, role: "EMPLOYEE", permissions: [] })));
    const clients = await Promise.all(others.map((s) => f.staffClient(s)));
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const input = { customers: [{ customerId: toGlobalId("Customer", customer.id) }], sharing: "ALL_DOCUMENTS" as const, categoryIds: [], salutation: "SIE" as const };
    const statuses: string[] = [];
    for (const client of [...clients, firm.adminClient, firm.employeeClient]) {
      const { inviteCustomers } = await client.request(InviteCustomersDocument, { input });
      statuses.push(inviteCustomers.results[0]!.errorCode ?? inviteCustomers.results[0]!.status);
    }
    expect(statuses).toEqual([...Array(INVITATION_MAIL_LIMITS.account.max).fill("INVITED"), ...Array(6 - INVITATION_MAIL_LIMITS.account.max).fill("RATE_LIMITED")]);
    expect(await mailsTo(customer.email!)).toHaveLength(INVITATION_MAIL_LIMITS.account.max);
  });
});
