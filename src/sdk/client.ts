import { Kind, print, type DocumentNode } from "graphql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import type { TypedDocumentNode } from "./typed-document.js";
import { CreateUploadDocument, type FilePurpose } from "./generated/graphql.js";

export * from "./generated/graphql.js";

/**
 * One problem with one input field, as the API reports it in `extensions.fields`. `rule` is a
 * SCREAMING_SNAKE_CASE name of the constraint (REQUIRED, LENGTH, FORMAT, EMAIL, RANGE, TYPE, UNIQUE, PASSWORD_*, ...).
 */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export interface ApiErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; fields?: FieldProblem[]; retryAfterSeconds?: number; [k: string]: unknown };
}

/**
 * Thrown when the API answers with errors; `code` is the first error's `extensions.code`. Two codes come
 * from the SDK itself, not from the server: NETWORK_ERROR (a subscription could not reconnect within
 * `reconnect.maxAttempts`) and BAD_RESPONSE (an answer that is not GraphQL, e.g. from a proxy).
 */
export class ApiError extends Error {
  readonly code: string;
  readonly fields: FieldProblem[];
  constructor(
    readonly errors: ApiErrorEntry[],
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join("; "));
    this.name = "ApiError";
    this.code = errors[0]?.extensions?.code ?? "INTERNAL";
    this.fields = errors.flatMap((e) => e.extensions?.fields ?? []);
  }
}

/** How a subscription comes back after its connection dropped. */
export interface ReconnectOptions {
  /** Wait before the first attempt, in ms (default 500); each failed attempt in a row doubles it, with jitter. */
  initialDelayMs?: number;
  /** The longest wait between attempts, in ms (default 30 000). */
  maxDelayMs?: number;
  /** Failed attempts in a row before the iteration ends with ApiError NETWORK_ERROR (default: no limit; 0: never reconnect). */
  maxAttempts?: number;
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** Session token from `login`, or the operator token. */
  token?: string;
  /** A WebSocket implementation where there is no global one (Node 20: pass `ws`). */
  webSocketImpl?: unknown;
  /** Extra headers on every HTTP request. */
  headers?: Record<string, string>;
  /** How long the WebSocket stays open after its last operation ended (graphql-ws `lazyCloseTimeout`). */
  lazyCloseTimeoutMs?: number;
  /** Reconnecting of `subscribe` after a dropped connection. */
  reconnect?: ReconnectOptions;
  /**
   * Pings the server this often (ms) while the WebSocket is open and drops the connection when no pong comes
   * within half that time, so a dead network is noticed and subscriptions reconnect. Default 20 000; 0 turns it off.
   */
  keepAliveMs?: number;
}

/** What `upload` sends: the bytes and what the server checks them against. */
export interface UploadFile {
  /** What the file is for: decides who may upload, the accepted types and sizes, and the mutation that takes the `fileId`. */
  purpose: FilePurpose;
  /** The name as the user sees it, 1 to 200 characters. */
  fileName: string;
  /** The declared type, e.g. application/pdf; the server reads the real type from the bytes. */
  contentType: string;
  body: Uint8Array | ArrayBuffer | Blob;
}

export interface UploadedFile {
  /** Pass it to the mutation the file is for (uploadDocument, reportClaim's photoFileIds, updateBrokerProfile's logoFileId). */
  fileId: string;
  size: number;
  /** The type the server read from the bytes. */
  mimeType: string;
}

/** A subscription: iterate it, `return()` it to unsubscribe. */
export interface Subscription<R> extends AsyncIterableIterator<R> {
  /**
   * The cursor of the last event `next()` returned, if the subscription selects `cursor`. Store it: a new
   * subscription with `after:` this cursor continues exactly after that event (after a restart, or a new login).
   */
  readonly cursor: string | undefined;
  /** Unsubscribes; the iteration is over. */
  return(): Promise<IteratorResult<R>>;
}

type Vars<V> = V extends Record<string, never> ? [variables?: V] : [variables: V];

/** Close codes after which reconnecting may help: going away, abnormal closure, server restart, try again later, ping timeout, terminated. */
const RETRYABLE_CLOSE = new Set([1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 4408, 4499, 4504]);

/** What a dropped connection means for a subscription: try again, or end with this error. */
function closeError(event: unknown): ApiError | undefined {
  const code = typeof event === "object" && event !== null && typeof (event as { code?: unknown }).code === "number" ? (event as { code: number }).code : undefined;
  // Not a close event (a refused or failed connection, a DNS error): the network, worth another attempt.
  if (code === undefined || RETRYABLE_CLOSE.has(code)) return undefined;
  const reason = String((event as { reason?: unknown }).reason ?? "") || `WebSocket closed with ${code}`;
  // 4401: the session ended (logout, deactivation, expiry); 4403: the token was refused at connection.
  if (code === 4401 || code === 4403) return new ApiError([{ message: reason, extensions: { code: "UNAUTHENTICATED", closeCode: code } }], 401);
  if (code === 4429) return new ApiError([{ message: reason, extensions: { code: "RATE_LIMITED", closeCode: code } }], 429);
  return new ApiError([{ message: reason, extensions: { code: code === 4500 ? "INTERNAL" : "BAD_REQUEST", closeCode: code } }], 0);
}

/**
 * One `subscribe`: a graphql-ws subscription that is replaced by a new one, with `after:` the last cursor
 * received, whenever the connection drops. graphql-ws's own retry would send the first variables again (and so
 * the events since the first `after:` again); here every attempt is made afresh, and a drop is noticed through
 * the client's `closed` event, before graphql-ws could re-send anything.
 */
class LiveSubscription<R> implements Subscription<R> {
  cursor: string | undefined;
  private readonly query: string;
  private readonly resumable: boolean;
  /** The cursor of the last event received (some may still wait in `queue`): the next attempt's `after:`. */
  private resumeAfter: string | undefined;
  private readonly queue: Array<{ value: R; cursor: string | undefined }> = [];
  /** `next()` calls waiting for an event, in order. */
  private readonly waiters: Array<{ resolve: (step: IteratorResult<R>) => void; reject: (err: unknown) => void }> = [];
  private ended: { error?: ApiError } | undefined;
  /** The graphql-ws client the current attempt runs on, and how to drop that attempt. */
  private attachedTo: WsClient | undefined;
  private dispose: (() => void) | undefined;
  /** Counts attempts: a callback of an earlier attempt finds it changed and does nothing. */
  private attempt = 0;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: () => WsClient,
    document: DocumentNode,
    private readonly variables: Record<string, unknown> | undefined,
    private readonly options: Required<ReconnectOptions>,
    private readonly onEnd: () => void,
  ) {
    this.query = print(document);
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    this.resumable = operation?.kind === Kind.OPERATION_DEFINITION && (operation.variableDefinitions ?? []).some((v) => v.variable.name.value === "after");
    const after = variables?.after;
    this.resumeAfter = typeof after === "string" ? after : undefined;
    this.start();
  }

  private start(): void {
    const attempt = ++this.attempt;
    const ws = this.socket();
    const variables = this.resumable && this.resumeAfter !== undefined ? { ...this.variables, after: this.resumeAfter } : this.variables;
    this.attachedTo = ws;
    this.dispose = ws.subscribe<R>(
      { query: this.query, variables },
      {
        next: (result) => {
          if (attempt !== this.attempt) return;
          if (result.errors?.length) return this.end(new ApiError(result.errors as unknown as ApiErrorEntry[], 200));
          const value = result.data as R;
          const root = value && typeof value === "object" ? (Object.values(value)[0] as { cursor?: unknown } | undefined) : undefined;
          const cursor = typeof root?.cursor === "string" ? root.cursor : undefined;
          if (cursor !== undefined) this.resumeAfter = cursor;
          this.push({ value, cursor });
        },
        error: (err) => {
          if (attempt !== this.attempt) return;
          // graphql-ws hands over the server's list of errors when it refuses or fails the operation.
          if (Array.isArray(err)) return this.end(new ApiError(err as ApiErrorEntry[], 200));
          this.dropped(ws, err);
        },
        // The server ended the operation: the stream is over.
        complete: () => {
          if (attempt === this.attempt) this.end();
        },
      },
    );
  }

  /** The connection of `ws` closed or failed: reconnect after a while, or end if that cannot help. */
  dropped(ws: WsClient, event: unknown): void {
    if (this.ended || this.attachedTo !== ws) return;
    this.detach();
    const fatal = closeError(event);
    if (fatal) return this.end(fatal);
    if (this.failures >= this.options.maxAttempts) {
      const reason = event instanceof Error ? event.message : String((event as { reason?: unknown })?.reason || "connection lost");
      return this.end(new ApiError([{ message: `Could not reconnect: ${reason}`, extensions: { code: "NETWORK_ERROR" } }], 0));
    }
    const ceiling = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** this.failures);
    this.failures++;
    // Half fixed, half random: clients dropped together do not come back at the same moment.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.ended) this.start();
    }, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** The connection of `ws` was acknowledged: the next drop starts counting from the first delay again. */
  connected(ws: WsClient): void {
    if (this.attachedTo === ws) this.failures = 0;
  }

  private detach(): void {
    this.attempt++;
    const dispose = this.dispose;
    this.dispose = undefined;
    this.attachedTo = undefined;
    dispose?.();
  }

  private push(item: { value: R; cursor: string | undefined }): void {
    const waiter = this.waiters.shift();
    if (!waiter) return void this.queue.push(item);
    this.cursor = item.cursor ?? this.cursor;
    waiter.resolve({ done: false, value: item.value });
  }

  /** Ends the iteration: queued events are still handed out, then the error (if any) once, then `done`. */
  end(error?: ApiError): void {
    if (this.ended) return;
    this.ended = error ? { error } : {};
    clearTimeout(this.timer);
    this.detach();
    this.onEnd();
    // Waiting calls mean an empty queue: the first gets the error, the others (and later calls) `done`.
    const waiting = this.waiters.splice(0);
    if (error && waiting.length > 0) {
      this.ended = {};
      waiting.shift()!.reject(error);
    }
    for (const waiter of waiting) waiter.resolve({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<R>> {
    const item = this.queue.shift();
    if (item) {
      this.cursor = item.cursor ?? this.cursor;
      return Promise.resolve({ done: false, value: item.value });
    }
    if (this.ended) {
      const error = this.ended.error;
      this.ended = {};
      return error ? Promise.reject(error) : Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<R>> {
    this.queue.length = 0;
    this.end();
    this.ended = {};
    return { done: true, value: undefined };
  }

  async throw(): Promise<IteratorResult<R>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The typed client integrators use: every operation in schema/operations is a typed document. */
export class KundenappClient {
  private ws: WsClient | undefined;
  private token: string | undefined;
  private readonly live = new Set<Pick<LiveSubscription<unknown>, "dropped" | "connected" | "end">>();

  constructor(private readonly options: ClientOptions) {
    this.token = options.token;
  }

  /** Uses another token from now on (closing the WebSocket opened with the old one, which ends its subscriptions). */
  setToken(token: string | undefined): void {
    this.token = token;
    this.endSubscriptions();
    void this.ws?.dispose();
    this.ws = undefined;
  }

  /** Runs a query or mutation; resolves to `data`, or throws ApiError. */
  async request<R, V>(document: TypedDocumentNode<R, V>, ...[variables]: Vars<V>): Promise<R> {
    const res = await fetch(this.options.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...this.options.headers,
      },
      body: JSON.stringify({ query: print(document as DocumentNode), variables }),
    });
    const body = (await res.json().catch(() => ({ errors: [badResponse(res.status)] }))) as { data?: R | null; errors?: ApiErrorEntry[] };
    if (body.errors?.length) throw new ApiError(body.errors, res.status);
    if (!body.data) throw new ApiError([{ message: `HTTP ${res.status} without data` }], res.status);
    return body.data;
  }

  /**
   * Subscribes over graphql-ws; iterate the result, `return()` it to unsubscribe. When the connection drops
   * it reconnects by itself (with backoff) and, for a subscription that takes `$after` and selects `cursor`,
   * continues after the last event received: nothing is lost or sent twice. Errors from the server (refused
   * operation, session ended: UNAUTHENTICATED) end the iteration with ApiError; a complete from the server ends it.
   */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, ...[variables]: Vars<V>): Subscription<R> {
    const reconnect = this.options.reconnect ?? {};
    const sub: LiveSubscription<R> = new LiveSubscription<R>(
      () => this.socket(),
      document as DocumentNode,
      variables as Record<string, unknown> | undefined,
      {
        initialDelayMs: reconnect.initialDelayMs ?? 500,
        maxDelayMs: reconnect.maxDelayMs ?? 30_000,
        maxAttempts: reconnect.maxAttempts ?? Number.POSITIVE_INFINITY,
      },
      () => this.live.delete(sub),
    );
    // graphql-ws calls back asynchronously only: nothing has ended the subscription yet.
    this.live.add(sub);
    return sub;
  }

  /**
   * Uploads a file: `createUpload`, then PUT of the bytes to the signed URL. Resolves to the `fileId` to pass to
   * the mutation the file is for; a refused file throws ApiError (FILE_TYPE, FILE_TOO_LARGE, FILE_EMPTY, FORBIDDEN, ...).
   */
  async upload(file: UploadFile): Promise<UploadedFile> {
    const size = file.body instanceof Blob ? file.body.size : file.body.byteLength;
    const { createUpload } = await this.request(CreateUploadDocument, {
      input: { purpose: file.purpose, fileName: file.fileName, contentType: file.contentType, size },
    });
    const res = await fetch(createUpload.uploadUrl, {
      method: "PUT",
      headers: { "content-type": file.contentType },
      body: file.body,
    });
    const body = (await res.json().catch(() => ({ errors: [badResponse(res.status)] }))) as { size?: number; mimeType?: string; errors?: ApiErrorEntry[] };
    if (!res.ok || body.errors?.length) throw new ApiError(body.errors?.length ? body.errors : [badResponse(res.status)], res.status);
    return { fileId: createUpload.fileId, size: body.size ?? size, mimeType: body.mimeType ?? file.contentType };
  }

  /** The graphql-ws client of this token, created on first use. */
  socket(): WsClient {
    if (this.ws) return this.ws;
    const keepAlive = this.options.keepAliveMs ?? 20_000;
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    const ws: WsClient = createWsClient({
      url: this.options.url.replace(/^http/, "ws"),
      webSocketImpl: this.options.webSocketImpl,
      connectionParams: () => (this.token ? { authorization: `Bearer ${this.token}` } : {}),
      lazy: true,
      lazyCloseTimeout: this.options.lazyCloseTimeoutMs ?? 0,
      // Subscriptions reconnect themselves (LiveSubscription), with their last cursor.
      retryAttempts: 0,
      keepAlive,
      on: {
        // Registered before graphql-ws's own listeners: subscriptions drop their attempt before graphql-ws acts on the close.
        closed: (event) => {
          clearTimeout(pongTimer);
          for (const sub of [...this.live]) sub.dropped(ws, event);
        },
        connected: () => {
          for (const sub of this.live) sub.connected(ws);
        },
        ping: (received) => {
          if (received || keepAlive <= 0) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => ws.terminate(), keepAlive / 2);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
    this.ws = ws;
    return ws;
  }

  /** Ends every subscription (their iterations finish) and closes the WebSocket. */
  async close(): Promise<void> {
    this.endSubscriptions();
    await this.ws?.dispose();
    this.ws = undefined;
  }

  private endSubscriptions(): void {
    for (const sub of [...this.live]) sub.end();
  }
}

function badResponse(status: number): ApiErrorEntry {
  return { message: `HTTP ${status}: not a GraphQL answer`, extensions: { code: "BAD_RESPONSE" } };
}
