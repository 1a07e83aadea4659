/**
 * The raw baseline: `node:http` + postgres.js answering the benchmark's screens (recognised by operation name)
 * with hand-written, prepared SQL and the same JSON as the API, and a raw `ws` server that sends one serialized
 * string to every socket. It authenticates every request the way the API does (the session by its token's
 * SHA-256, the account's grants in the same round trip), so the comparison is of everything else.
 *
 * Run as its own process by bench/run.ts: `tsx bench/baseline.ts <databaseUrl> <httpPort> <wsPort>`.
 * GET /stats answers the number of SQL statements sent so far; POST /broadcast sends its body to every socket.
 */
import http from "node:http";
import crypto from "node:crypto";
import postgres from "postgres";
import { WebSocketServer } from "ws";

const [databaseUrl, httpPort = "4601", wsPort = "4602"] = process.argv.slice(2);
if (!databaseUrl) throw new Error("usage: baseline.ts <databaseUrl> <httpPort> <wsPort>");
const sql = postgres(databaseUrl, { max: 10, prepare: true, onnotice: () => {} });
let statements = 0;

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64url");
const fromGid = (g: string) => Buffer.from(g, "base64url").toString("utf8").split(":")[1] ?? "";
const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString("base64url");
const euro = new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" });
const money = (cents: number | null) => (cents === null ? null : { cents, formatted: euro.format(cents / 100) });
const iso = (d: Date) => d.toISOString();

interface Viewer {
  kind: "staff" | "app";
  tenantId: string;
  staffId: string | null;
  customerIds: string[];
}

async function authenticate(header: string | undefined): Promise<Viewer | null> {
  const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
  if (!token) return null;
  statements++;
  const [row] = await sql`
    select s.tenant_id, s.staff_user_id, s.app_account_id, a.customer_id,
           array(select customer_id from app_account_access where app_account_id = s.app_account_id) as granted
    from sessions s join tenants t on t.id = s.tenant_id
    left join staff_users u on u.id = s.staff_user_id
    left join app_accounts a on a.id = s.app_account_id
    where s.token_hash = ${crypto.createHash("sha256").update(token).digest("base64url")} and s.expires_at > now()`;
  if (!row) return null;
  return row.staff_user_id
    ? { kind: "staff", tenantId: row.tenant_id, staffId: row.staff_user_id, customerIds: [] }
    : { kind: "app", tenantId: row.tenant_id, staffId: null, customerIds: [row.customer_id, ...(row.granted as string[])] };
}

type Screen = (v: Viewer, variables: Record<string, unknown>) => Promise<unknown>;

const screens: Record<string, Screen> = {
  // Overview figures, broker card and the first 20 contracts (offers first) in one round trip.
  async StartScreen(v) {
    statements++;
    const rows = await sql`
      with mine as (
        select * from contracts where tenant_id = ${v.tenantId} and customer_id = any(${v.customerIds}::uuid[]) and visible_to_customer
      ), figures as (
        select count(*) filter (where status <> 'ANGEBOT') as contracts,
               count(*) filter (where status = 'ANGEBOT' and accepted_at is null) as offers,
               coalesce(sum(case when status = 'AKTIV' then premium_cents::bigint * (case payment_interval when 'MONTHLY' then 12 when 'QUARTERLY' then 4 when 'HALF_YEARLY' then 2 when 'YEARLY' then 1 else 0 end) else 0 end), 0) as yearly
        from mine
      ), page as (
        select m.id, m.contract_number, m.status, m.line_of_business, m.premium_cents, m.payment_interval, m.created_at,
               (case when m.status = 'ANGEBOT' then 0 else 1 end) as rank, i.id as insurer_id, i.name as insurer_name
        from mine m join insurers i on i.id = m.insurer_id
        order by rank, m.created_at desc, m.id desc limit 21
      )
      select 'f' as k, f.contracts, f.offers, f.yearly::text as yearly,
             (select count(*) from claims where tenant_id = ${v.tenantId} and customer_id = any(${v.customerIds}::uuid[]) and status in ('REPORTED', 'IN_PROGRESS', 'WITH_INSURER')) as claims,
             (select count(*) from chat_messages m join chats c on c.id = m.chat_id
                left join chat_reads r on r.chat_id = m.chat_id and r.reader_id = c.customer_id
              where c.tenant_id = ${v.tenantId} and c.customer_id = any(${v.customerIds}::uuid[]) and c.status = 'OPEN' and not m.from_customer
                and (r.up_to_message_id is null or m.id > r.up_to_message_id)) as unread,
             t.profile_name, t.profile_phone, t.profile_city,
             null::uuid as id, null as contract_number, null::contract_status as status, null::line_of_business as line_of_business, null::int as premium_cents,
             null::payment_interval as payment_interval, null::timestamptz as created_at, null::int as rank, null::uuid as insurer_id, null as insurer_name
      from figures f, tenants t where t.id = ${v.tenantId}
      union all
      select 'c', null, null, null, null, null, null, null, null, * from page`;
    const [f, ...page] = rows;
    const more = page.length > 20;
    const nodes = page.slice(0, 20);
    const last = nodes.at(-1);
    return {
      overview: {
        contractCount: Number(f!.contracts),
        openOfferCount: Number(f!.offers),
        openClaimCount: Number(f!.claims),
        unreadMessageCount: Number(f!.unread),
        monthlyPremiumTotal: money(Number((BigInt(f!.yearly) + 6n) / 12n)),
        brokerProfile: { name: f!.profile_name, phone: f!.profile_phone, city: f!.profile_city },
      },
      contracts: {
        nodes: nodes.map((c) => ({
          id: gid("Contract", c.id),
          contractNumber: c.contract_number,
          status: c.status,
          lineOfBusiness: c.line_of_business,
          premium: money(c.premium_cents),
          paymentInterval: c.payment_interval,
          insurer: { id: gid("Insurer", c.insurer_id), name: c.insurer_name },
        })),
        pageInfo: { hasNextPage: more, endCursor: last ? cursor([last.rank, iso(last.created_at), last.id]) : null },
      },
    };
  },

  // 50 open chats by last activity with the customer, the newest message and the viewer's unread count.
  async Inbox(v) {
    statements++;
    const rows = await sql`
      select c.id, c.last_activity_at, cu.id as customer_id, cu.first_name || ' ' || cu.last_name as name,
             lm.id as m_id, lm.body as m_body, lm.from_customer as m_from, lm.created_at as m_at,
             (select count(*) from chat_messages m left join chat_reads r on r.chat_id = m.chat_id and r.reader_id = ${v.staffId}
               where m.chat_id = c.id and m.from_customer and (r.up_to_message_id is null or m.id > r.up_to_message_id)) as unread
      from (select * from chats where tenant_id = ${v.tenantId} and status = 'OPEN' order by last_activity_at desc, id desc limit 51) c
      join customers cu on cu.id = c.customer_id
      left join lateral (select id, body, from_customer, created_at from chat_messages where chat_id = c.id order by id desc limit 1) lm on true
      order by c.last_activity_at desc, c.id desc`;
    const nodes = rows.slice(0, 50);
    const last = nodes.at(-1);
    return {
      chats: {
        nodes: nodes.map((c) => ({
          id: gid("Chat", c.id),
          lastActivityAt: iso(c.last_activity_at),
          unreadCount: Number(c.unread),
          customer: { id: gid("Customer", c.customer_id), name: c.name },
          lastMessage: c.m_id ? { id: gid("Message", c.m_id), body: c.m_body, fromCustomer: c.m_from, createdAt: iso(c.m_at) } : null,
        })),
        pageInfo: { hasNextPage: rows.length > 50, endCursor: last ? cursor([iso(last.last_activity_at), last.id]) : null },
      },
    };
  },

  async CustomerSearch(v, variables) {
    const like = `%${String(variables.search ?? "").trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    statements++;
    const rows = await sql`
      select id, first_name, last_name, city, email from customers
      where tenant_id = ${v.tenantId} and (first_name || ' ' || last_name ilike ${like} or last_name || ', ' || first_name ilike ${like})
      order by last_name || '', first_name, id limit 21`; // by the trigram indexes, then sorted (see CustomerService.list)
    const nodes = rows.slice(0, 20);
    const last = nodes.at(-1);
    return {
      customers: {
        nodes: nodes.map((c) => ({ id: gid("Customer", c.id), firstName: c.first_name, lastName: c.last_name, city: c.city, email: c.email })),
        pageInfo: { hasNextPage: rows.length > 20, endCursor: last ? cursor([last.last_name, last.first_name, last.id]) : null },
      },
    };
  },

  async MessagePage(v, variables) {
    const chatId = fromGid(String(variables.id));
    statements++;
    const rows = await sql`
      select m.id, m.body, m.from_customer, m.created_at, u.id as author_id, u.name as author_name
      from chats c join chat_messages m on m.chat_id = c.id left join staff_users u on u.id = m.author_staff_id
      where c.id = ${chatId} and c.tenant_id = ${v.tenantId}
      order by m.id desc limit 51`;
    const nodes = rows.slice(0, 50);
    const last = nodes.at(-1);
    return {
      chat: {
        id: gid("Chat", chatId),
        messages: {
          nodes: nodes.map((m) => ({
            id: gid("Message", m.id),
            body: m.body,
            fromCustomer: m.from_customer,
            createdAt: iso(m.created_at),
            author: m.author_id ? { id: gid("StaffUser", m.author_id), name: m.author_name } : null,
          })),
          pageInfo: { hasNextPage: rows.length > 50, endCursor: last ? cursor([last.id]) : null },
        },
      },
    };
  },
};

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ statements }));
  }
  if (req.method === "POST" && req.url === "/broadcast") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // One serialized string, written to every socket.
      const message = Buffer.concat(chunks).toString("utf8");
      for (const client of wss.clients) client.send(message);
      res.writeHead(204).end();
    });
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    void (async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables?: Record<string, unknown> };
        const name = /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? "";
        const screen = screens[name];
        const viewer = await authenticate(req.headers.authorization);
        if (!screen || !viewer) {
          res.writeHead(400, { "content-type": "application/json" });
          return res.end(JSON.stringify({ errors: [{ message: "unknown screen or viewer" }] }));
        }
        const data = await screen(viewer, body.variables ?? {});
        res.writeHead(200, { "content-type": "application/graphql-response+json; charset=utf-8" });
        res.end(JSON.stringify({ data }));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    })();
  });
});

const wss = new WebSocketServer({ port: Number(wsPort) });
server.listen(Number(httpPort), "127.0.0.1", () => process.send?.({ ready: true }));
process.on("SIGTERM", () => {
  server.close();
  wss.close();
  void sql.end({ timeout: 1 }).then(() => process.exit(0));
});
