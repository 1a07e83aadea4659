import type postgres from "postgres";
import { LocalFanout, type BusMessage, type PubSubEngine } from "./engine.js";
import type { Logger } from "../log.js";

const CHANNEL = "kundenapp_bus";
/** NOTIFY refuses payloads from 8000 bytes on; ours carry ids only, and larger lists are split. */
const MAX_PAYLOAD = 7000;

/**
 * PostgreSQL LISTEN/NOTIFY: every process on the database receives every message, so an event raised
 * through one instance reaches subscribers held by another. postgres.js keeps one dedicated connection
 * for LISTEN and re-listens after a reconnect.
 */
export class PgNotifyEngine extends LocalFanout implements PubSubEngine {
  readonly name = "postgres";
  private listener: Promise<{ unlisten(): Promise<void> }> | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly log: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.listener = this.sql.listen(CHANNEL, (payload) => {
      try {
        this.deliver(JSON.parse(payload) as BusMessage);
      } catch (err) {
        this.log.warn({ err }, "ignored a malformed bus message");
      }
    });
    await this.listener;
  }

  async publish(message: BusMessage): Promise<void> {
    for (const part of split(message)) await this.sql.notify(CHANNEL, part);
  }

  async close(): Promise<void> {
    const l = await this.listener;
    await l?.unlisten();
  }
}

/** Splits a message whose id list would not fit into one NOTIFY. */
function split(message: BusMessage): string[] {
  const whole = JSON.stringify(message);
  if (whole.length <= MAX_PAYLOAD) return [whole];
  const ids = message.payload.sessionIds;
  if (!Array.isArray(ids) || ids.length < 2) throw new Error(`bus message too large for NOTIFY (${whole.length} bytes)`);
  const half = Math.ceil(ids.length / 2);
  return [
    ...split({ ...message, payload: { ...message.payload, sessionIds: ids.slice(0, half) } }),
    ...split({ ...message, payload: { ...message.payload, sessionIds: ids.slice(half) } }),
  ];
}
