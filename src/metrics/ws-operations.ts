import { recordErrors, recordOperation } from "./metrics.js";

type FormattedErrors = ReadonlyArray<{ extensions?: Record<string, unknown> }>;

interface Running {
  started: bigint;
  name: string | null | undefined;
  type: string | undefined;
  errors: FormattedErrors[number][];
  /** A live subscription is counted when it starts; its later errors count by code only. */
  counted: boolean;
}

/**
 * Operations on graphql-ws sockets, for the same figures as over HTTP: begun in onSubscribe, identified in
 * onOperation, finished in onComplete (or refused in onError before they ran). Keyed by the socket's context.
 */
export class WsOperationMetrics {
  private readonly sockets = new Map<object, Map<string, Running>>();

  begin(socket: object, id: string, name: string | null | undefined): void {
    let ops = this.sockets.get(socket);
    if (!ops) this.sockets.set(socket, (ops = new Map()));
    ops.set(id, { started: process.hrtime.bigint(), name, type: undefined, errors: [], counted: false });
  }

  /** The operation ran (a query or mutation has its result; a subscription has its stream, or errors if it could not start). */
  operated(socket: object, id: string, name: string | null | undefined, type: string | undefined, streaming: boolean): void {
    const op = this.sockets.get(socket)?.get(id);
    if (!op) return;
    op.name = name;
    op.type = type;
    if (type === "subscription" && streaming) {
      op.counted = true;
      recordOperation({ transport: "ws", name, type, errors: undefined });
    }
  }

  /** Errors sent for an operation: refused before it ran (counted now), or part of its result (counted with it). */
  errors(socket: object, id: string, name: string | null | undefined, errors: FormattedErrors): void {
    const op = this.sockets.get(socket)?.get(id);
    if (op?.type === undefined) {
      this.sockets.get(socket)?.delete(id);
      return recordOperation({ transport: "ws", name, type: undefined, errors });
    }
    if (op.counted) return recordErrors("ws", errors);
    op.errors.push(...errors);
  }

  complete(socket: object, id: string): void {
    const ops = this.sockets.get(socket);
    const op = ops?.get(id);
    if (!op) return;
    ops!.delete(id);
    if (op.counted) return;
    recordOperation({ transport: "ws", name: op.name, type: op.type, errors: op.errors, seconds: Number(process.hrtime.bigint() - op.started) / 1e9 });
  }

  /** A socket closed: whatever it still had running is over (its completions, if any still come, find nothing). */
  closed(socket: object): void {
    this.sockets.delete(socket);
  }

  /** Live subscriptions on this server's sockets. */
  subscriptions(): number {
    let n = 0;
    for (const ops of this.sockets.values()) for (const op of ops.values()) if (op.counted) n++;
    return n;
  }
}
