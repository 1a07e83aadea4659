import { EventEmitter } from "node:events";

/** A message on the bus: a topic and a small payload of ids and cursors, never personal data. */
export interface BusMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/**
 * Moves events between server processes. Every process receives every message and filters
 * locally, so one LISTEN (or one Redis subscription) per process suffices.
 */
export interface PubSubEngine {
  readonly name: string;
  publish(message: BusMessage): Promise<void>;
  /** Registers a listener for every message; returns a function that removes it. */
  onMessage(listener: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

/** Base that keeps the local listeners; engines only move bytes. */
export abstract class LocalFanout {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  protected deliver(message: BusMessage): void {
    this.emitter.emit("message", message);
  }

  onMessage(listener: (message: BusMessage) => void): () => void {
    this.emitter.on("message", listener);
    return () => this.emitter.off("message", listener);
  }
}

/** Single process: delivery is a function call (asynchronous, like the real engines). */
export class MemoryEngine extends LocalFanout implements PubSubEngine {
  readonly name = "memory";
  async publish(message: BusMessage): Promise<void> {
    queueMicrotask(() => this.deliver(message));
  }
  async close(): Promise<void> {}
}
