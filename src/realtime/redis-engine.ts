import type { Redis } from "ioredis";
import { LocalFanout, type BusMessage, type PubSubEngine } from "./engine.js";
import type { Logger } from "../log.js";

const CHANNEL = "kundenapp:bus";

/**
 * Redis pub/sub: where REDIS_URL is configured, instances share events through Redis instead of
 * PostgreSQL's NOTIFY (which every database connection would otherwise carry). A subscribed Redis
 * connection can do nothing else, so there are two; ioredis re-subscribes after a reconnect.
 */
export class RedisEngine extends LocalFanout implements PubSubEngine {
  readonly name = "redis";
  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    log: Logger,
  ) {
    super();
    sub.on("message", (_channel: string, payload: string) => {
      try {
        this.deliver(JSON.parse(payload) as BusMessage);
      } catch (err) {
        log.warn({ err }, "ignored a malformed bus message");
      }
    });
    for (const c of [pub, sub]) c.on("error", (err: unknown) => log.warn({ err }, "redis connection error"));
  }

  static async connect(url: string, log: Logger): Promise<RedisEngine> {
    const { Redis } = await import("ioredis");
    const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const sub = new Redis(url, { lazyConnect: true });
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(CHANNEL);
    return new RedisEngine(pub, sub, log);
  }

  async publish(message: BusMessage): Promise<void> {
    await this.pub.publish(CHANNEL, JSON.stringify(message));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
