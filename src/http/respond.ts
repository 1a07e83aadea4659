import type http from "node:http";
import type { ErrorCode } from "../errors.js";

/** An error answered outside GraphQL, in the shape of a GraphQL error, so a client reads every error one way. */
export interface HttpErrorBody {
  errors: [{ message: string; extensions: { code: ErrorCode } }];
}

/** The one place an HTTP error body is built. */
export function errorBody(code: ErrorCode, message: string): HttpErrorBody {
  return { errors: [{ message, extensions: { code } }] };
}

/** A JSON answer that no cache keeps. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export function sendError(res: http.ServerResponse, status: number, code: ErrorCode, message: string): void {
  sendJson(res, status, errorBody(code, message));
}
