import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode } from "graphql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";

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

/** Thrown when the API answers with errors; `code` is the first error's `extensions.code`. */
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
}

type Vars<V> = V extends Record<string, never> ? [variables?: V] : [variables: V];

/** The typed client integrators use: every operation in schema/operations is a typed document. */
export class KundenappClient {
  private ws: WsClient | undefined;
  private token: string | undefined;

  constructor(private readonly options: ClientOptions) {
    this.token = options.token;
  }

  /** Uses another token from now on (closing the WebSocket opened with the old one). */
  setToken(token: string | undefined): void {
    this.token = token;
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
    const body = (await res.json()) as { data?: R | null; errors?: ApiErrorEntry[] };
    if (body.errors?.length) throw new ApiError(body.errors, res.status);
    if (!body.data) throw new ApiError([{ message: `HTTP ${res.status} without data` }], res.status);
    return body.data;
  }

  /** Subscribes over graphql-ws; iterate the result, `return()` it to unsubscribe. Errors end the iteration with ApiError. */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, ...[variables]: Vars<V>): AsyncIterableIterator<R> {
    const iterator = this.socket().iterate<R>({ query: print(document as DocumentNode), variables: variables as Record<string, unknown> | undefined });
    return {
      async next() {
        let step: IteratorResult<{ data?: unknown; errors?: readonly unknown[] }>;
        try {
          step = await iterator.next();
        } catch (err) {
          // graphql-ws rejects with the server's list of errors when it refuses an operation.
          if (Array.isArray(err)) throw new ApiError(err as ApiErrorEntry[], 200);
          throw err;
        }
        if (step.done) return { done: true, value: undefined };
        if (step.value.errors?.length) throw new ApiError(step.value.errors as ApiErrorEntry[], 200);
        return { done: false, value: step.value.data as R };
      },
      async return() {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** The graphql-ws client of this token, created on first use. */
  socket(): WsClient {
    this.ws ??= createWsClient({
      url: this.options.url.replace(/^http/, "ws"),
      webSocketImpl: this.options.webSocketImpl,
      connectionParams: () => (this.token ? { authorization: `Bearer ${this.token}` } : {}),
      lazy: true,
      lazyCloseTimeout: this.options.lazyCloseTimeoutMs ?? 0,
      retryAttempts: 0,
    });
    return this.ws;
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }
}
