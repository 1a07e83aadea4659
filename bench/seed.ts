/**
 * Bulk data for the benchmark, written with set-based SQL (generate_series) straight into the demo firm: 10,000
 * customers, 50,000 contracts, 5,000 chats with about 200,000 messages and 2,000 claims per unit of `scale`.
 * Rows are numbered, so a second call with `from` = the first call's `to` adds the next block (10× the data).
 * Ids are made from the row number (md5), messages get time-ordered UUIDv7-shaped ids like the app's own.
 */
export interface SeedBlock {
  tenantId: string;
  staffId: string;
  /** First and last block of 10,000 customers, e.g. 0..1 for the first, 1..10 for 10× the data. */
  from: number;
  to: number;
}

export const PER_BLOCK = { customers: 10_000, contracts: 50_000, chats: 5_000, messages: 200_000, claims: 2_000 };

const FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Karla", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Simon", "Tilda", "Uwe"];
const LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier", "Walter", "König", "Huber", "Kaiser"];
const LOB = ["KFZ", "HAUSRAT", "WOHNGEBAEUDE", "PRIVATHAFTPFLICHT", "RECHTSSCHUTZ", "UNFALL", "BERUFSUNFAEHIGKEIT", "KRANKENZUSATZ", "REISE", "SONSTIGE"];
const STATUS = ["AKTIV", "AKTIV", "AKTIV", "AKTIV", "ANGEBOT", "ANTRAG", "RUHEND", "GEKUENDIGT", "START", "AKTIV"];
const INTERVAL = ["MONTHLY", "QUARTERLY", "HALF_YEARLY", "YEARLY", "MONTHLY"];
const CLAIM_STATUS = ["REPORTED", "IN_PROGRESS", "WITH_INSURER", "SETTLED", "REJECTED", "CLOSED"];

const arr = (xs: string[]) => `array[${xs.map((x) => `'${x}'`).join(",")}]`;
/** A deterministic uuid from a text. */
const uid = (expr: string) => `md5(${expr})::uuid`;
/** A UUIDv7-shaped id whose order is the order of `ts` (as the app's uuidv7 ids are). */
const uid7 = (ts: string, seed: string) =>
  `(lpad(to_hex((extract(epoch from ${ts}) * 1000)::bigint), 12, '0') || '7' || substr(md5(${seed}), 1, 3) || '8' || substr(md5(${seed}), 4, 15))::uuid`;

/** The statements of one block, in order; each is one set-based insert. */
export function seedStatements(b: SeedBlock): string[] {
  const t = `'${b.tenantId}'::uuid`;
  const s = `'${b.staffId}'::uuid`;
  const c0 = b.from * PER_BLOCK.customers + 1;
  const c1 = b.to * PER_BLOCK.customers;
  const k0 = b.from * PER_BLOCK.contracts + 1;
  const k1 = b.to * PER_BLOCK.contracts;
  const h0 = b.from * PER_BLOCK.chats + 1;
  const h1 = b.to * PER_BLOCK.chats;
  const l0 = b.from * PER_BLOCK.claims + 1;
  const l1 = b.to * PER_BLOCK.claims;
  const cust = (n: string) => uid(`'bench-customer-' || ${n}`);
  return [
    // Twenty insurers, once.
    b.from === 0
      ? `insert into insurers (id, tenant_id, name) select ${uid(`'bench-insurer-' || g`)}, ${t}, 'Versicherer ' || g from generate_series(1, 20) g`
      : "select 1",
    `insert into customers (id, tenant_id, first_name, last_name, birth_date, email, phone, street, postal_code, city, created_at, updated_at)
     select ${cust("g")}, ${t}, (${arr(FIRST)})[1 + g % ${FIRST.length}], (${arr(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] || case when g > ${LAST.length * FIRST.length} then '-' || (g % 97) else '' end,
            date '1950-01-01' + (g % 18000), 'kunde' || g || '@bench.example', '+49 30 ' || g, 'Hauptstraße ' || (g % 200 + 1), lpad((10000 + g % 89999)::text, 5, '0'), 'Berlin',
            now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
     from generate_series(${c0}, ${c1}) g`,
    `insert into customer_responsible_staff (customer_id, staff_user_id, position, tenant_id) select ${cust("g")}, ${s}, 0, ${t} from generate_series(${c0}, ${c1}) g`,
    // Five contracts per customer: every tenth an offer, a third visible in the app.
    `insert into contracts (id, tenant_id, customer_id, insurer_id, contract_number, line_of_business, status, premium_cents, payment_interval, start_date, visible_to_customer, created_by_staff_id, created_at, updated_at)
     select ${uid(`'bench-contract-' || g`)}, ${t}, ${cust(`(1 + (g - 1) / 5)`)}, ${uid(`'bench-insurer-' || (1 + g % 20)`)}, 'BV-' || lpad(g::text, 8, '0'),
            (${arr(LOB)})[1 + g % ${LOB.length}]::line_of_business, (${arr(STATUS)})[1 + (g / 5) % ${STATUS.length}]::contract_status,
            1000 + (g * 37) % 20000, (${arr(INTERVAL)})[1 + g % ${INTERVAL.length}]::payment_interval, date '2020-01-01' + (g % 2000),
            g % 3 <> 0, ${s}, now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
     from generate_series(${k0}, ${k1}) g`,
    // One open chat for each of the first half of the customers of the block, newest activity first.
    `insert into chats (id, tenant_id, customer_id, status, operator_staff_id, last_activity_at, created_at)
     select ${uid(`'bench-chat-' || g`)}, ${t}, ${cust(`(g * 2 - 1)`)}, 'OPEN', ${s}, now() - (g || ' minutes')::interval, now() - interval '400 days'
     from generate_series(${h0}, ${h1}) g`,
    // 20 to 60 messages per chat (40 on average), alternating sides, the last at the chat's last activity.
    `insert into chat_messages (id, tenant_id, chat_id, kind, body, author_staff_id, from_customer, created_at)
     select ${uid7(`(now() - (h || ' minutes')::interval - (n || ' hours')::interval)`, `'bench-msg-' || h || '-' || n`)}, ${t}, ${uid(`'bench-chat-' || h`)}, 'TEXT',
            case when n % 2 = 0 then 'Guten Tag, eine Frage zu meinem Vertrag Nummer ' || n else 'Vielen Dank, wir kümmern uns darum und melden uns bis morgen.' end,
            case when n % 2 = 0 then null else ${s} end, n % 2 = 0,
            now() - (h || ' minutes')::interval - (n || ' hours')::interval
     from generate_series(${h0}, ${h1}) h, generate_series(0, 19 + h % 41) n`,
    // Staff have read every other chat up to its newest staff message.
    `insert into chat_reads (tenant_id, chat_id, reader_id, from_customer, up_to_message_id, read_at)
     select ${t}, ${uid(`'bench-chat-' || h`)}, ${s}, false, ${uid7(`(now() - (h || ' minutes')::interval - interval '1 hours')`, `'bench-msg-' || h || '-1'`)}, now()
     from generate_series(${h0}, ${h1}) h where h % 2 = 0`,
    `insert into claims (id, tenant_id, customer_id, contract_id, number, status, date_of_loss, description, reported_at, created_at, updated_at)
     select ${uid(`'bench-claim-' || g`)}, ${t}, ${cust(`(g * 5)`)}, ${uid(`'bench-contract-' || (g * 25)`)}, 'B-' || lpad(g::text, 7, '0'),
            (${arr(CLAIM_STATUS)})[1 + g % ${CLAIM_STATUS.length}]::claim_status, date '2026-01-01' + (g % 300), 'Wasserschaden im Keller nach Starkregen', now() - (g || ' hours')::interval,
            now() - (g || ' hours')::interval, now() - (g || ' hours')::interval
     from generate_series(${l0}, ${l1}) g`,
    // Settled before measuring: statistics, and the visibility map (else autovacuum runs during the measurement).
    "vacuum (analyze)",
  ];
}

/** A chat of the block with the most messages (60): the message page reads 50 of them. */
export function busyChatId(): string {
  // h % 41 = 40 for h = 40: 60 messages.
  return "md5('bench-chat-40')::uuid";
}
