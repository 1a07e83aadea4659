/**
 * Media types and status codes of GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), on top of
 * what Apollo Server does itself: Apollo picks the response's media type from `Accept`, but answers every GraphQL
 * request error with 400 whatever that type, and looks at `Accept` only after it has run the operation.
 */
import { ErrorCode } from "../errors.js";

export const JSON_TYPE = "application/json";
export const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json";

/** What Apollo can answer a single result with (its MEDIA_TYPES; utf-8 is the only charset it writes). */
const SERVED = [
  { type: "application", subtype: "json" },
  { type: "application", subtype: "graphql-response+json" },
] as const;

interface MediaRange {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header.split(",").flatMap((part): MediaRange[] => {
    const [essence = "", ...rest] = part.split(";").map((s) => s.trim());
    const [type, subtype] = essence.toLowerCase().split("/");
    if (!type || !subtype) return [];
    const params = new Map<string, string>();
    let q = 1;
    for (const param of rest) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (key === "q") q = Number.parseFloat(value);
      else params.set(key, value.toLowerCase());
    }
    return [{ type, subtype, params, q: Number.isNaN(q) ? 0 : q }];
  });
}

/** Whether `Accept` names `application/json` itself (not through a wildcard) with q > 0: a client that relies on its 200s. */
function namesJson(accept: string): boolean {
  return parseAccept(accept).some((r) => r.type === "application" && r.subtype === "json" && r.q > 0);
}

/**
 * Whether `Accept` allows a media type Apollo serves, decided as Apollo's negotiator decides it (the most specific
 * matching range counts; q=0 refuses). No header accepts anything.
 */
export function acceptsGraphqlResponse(accept: string | undefined): boolean {
  if (!accept) return true;
  const ranges = parseAccept(accept);
  return SERVED.some((served) => {
    let best: { specificity: number; q: number } | undefined;
    for (const range of ranges) {
      if (range.type !== "*" && range.type !== served.type) continue;
      if (range.subtype !== "*" && range.subtype !== served.subtype) continue;
      // Apollo's types carry only charset=utf-8: any other parameter in the range does not match them.
      if ([...range.params].some(([key, value]) => key !== "charset" || (value !== "utf-8" && value !== "utf8"))) continue;
      const specificity = (range.type === served.type ? 4 : 0) + (range.subtype === served.subtype ? 2 : 0) + (range.params.size > 0 ? 1 : 0);
      if (!best || specificity > best.specificity || (specificity === best.specificity && range.q > best.q)) best = { specificity, q: range.q };
    }
    return (best?.q ?? 0) > 0;
  });
}

/**
 * Codes of GraphQL request errors of a well-formed request (the document does not parse or validate, the operation
 * cannot be chosen, the variables cannot be coerced). Not BAD_REQUEST: that is a request that is not well-formed
 * (no query, a CSRF header missing, a mutation over GET).
 */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.BAD_USER_INPUT,
]);

/**
 * The status the specification asks for, given Apollo's status, the request's `Accept` and the media type Apollo
 * chose for the body:
 * - `application/graphql-response+json`: a response without `data` MUST be 4xx/5xx (Apollo answers a persisted-query
 *   miss with 200 and no `data`): 400 then.
 * - `application/json` named in `Accept`: a request error of a well-formed request SHOULD be 200.
 * - No `Accept`, or only wildcards (`*` / `*`, what fetch sends unless told): the body is `application/json` (the
 *   audit's 80D8 and 47DE), the status that of `application/graphql-response+json` (400 for request errors), which is
 *   how the specification has treated a request without `Accept` since its 2025 watershed. Clients that want 200 for
 *   request errors name `application/json`.
 */
export function specStatus(status: number, accept: string | undefined, contentType: string | undefined, body: string): number {
  // Apollo writes `errors` first; a body that does not start with them has `data`.
  if (!body.startsWith('{"errors"')) return status;
  let parsed: { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return status;
  }
  if ("data" in parsed) return status;
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type === GRAPHQL_RESPONSE_TYPE) return status < 400 ? 400 : status;
  const requestErrors = (parsed.errors ?? []).length > 0 && (parsed.errors ?? []).every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)));
  if (type === JSON_TYPE && accept && namesJson(accept) && status === 400 && requestErrors) return 200;
  return status;
}

/** Only JSON request bodies (GraphQL over HTTP: `application/json`, UTF-8; no charset means UTF-8). */
export function isJsonRequest(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [essence = "", ...params] = contentType.split(";").map((s) => s.trim().toLowerCase());
  if (essence !== JSON_TYPE) return false;
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"(.*)"$/, "$1");
  return charset === undefined || charset === "utf-8" || charset === "utf8";
}
