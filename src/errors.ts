import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { registerEnumType, ArgumentValidationError } from "type-graphql";
import type { ValidationError } from "class-validator";
import type { Logger } from "./log.js";

/** Every error a client can see carries one of these codes in `extensions.code`. */
export enum ErrorCode {
  UNAUTHENTICATED = "UNAUTHENTICATED",
  FORBIDDEN = "FORBIDDEN",
  NOT_FOUND = "NOT_FOUND",
  BAD_USER_INPUT = "BAD_USER_INPUT",
  CONFLICT = "CONFLICT",
  RATE_LIMITED = "RATE_LIMITED",
  ACCOUNT_DEACTIVATED = "ACCOUNT_DEACTIVATED",
  APP_DISABLED = "APP_DISABLED",
  GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED",
  OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE",
  BAD_REQUEST = "BAD_REQUEST",
  PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND",
  PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED",
  INTERNAL = "INTERNAL",
  FILE_TOO_LARGE = "FILE_TOO_LARGE",
  FILE_TYPE = "FILE_TYPE",
  FILE_EMPTY = "FILE_EMPTY",
}
registerEnumType(ErrorCode, {
  name: "ErrorCode",
  description:
    "Stable codes in `extensions.code` of every error (and of HTTP error bodies of file transfers). Branch on the code, not on the message: messages are for people and may change.",
  valuesConfig: {
    UNAUTHENTICATED: { description: "No valid session: not logged in, the token expired or was ended, or the login details are wrong. Log in again." },
    FORBIDDEN: { description: "Logged in, but this kind of user or this role may not do it (e.g. an employee calling an admin operation)." },
    NOT_FOUND: { description: "The object does not exist or the viewer may not see it; the two cases are deliberately indistinguishable." },
    BAD_USER_INPUT: { description: "The input was refused; `extensions.fields` lists every problem as `{ field, rule, message }`." },
    CONFLICT: { description: "The request is valid but clashes with the current state (a name already in use, the firm's last admin, ...); reload and decide." },
    RATE_LIMITED: { description: "Too many failed attempts; `extensions.retryAfterSeconds` says when to try again." },
    ACCOUNT_DEACTIVATED: { description: "The login details are correct, but the broker firm has deactivated this login; told only after a correct password." },
    APP_DISABLED: { description: "The broker's customer app is switched off: app accounts can neither log in nor be invited." },
    GRAPHQL_PARSE_FAILED: { description: "The document is not valid GraphQL syntax, or has more tokens than allowed (HTTP 400)." },
    GRAPHQL_VALIDATION_FAILED: { description: "The document was refused: an unknown field or argument, a wrong type, or a query over the depth, alias or cost limits." },
    OPERATION_RESOLUTION_FAILURE: { description: "The document has no operation of the requested `operationName`, or several and no name was given." },
    BAD_REQUEST: { description: "The HTTP request itself is malformed: no query, a wrong content type, a missing CSRF header, or an operation a GET may not run." },
    PERSISTED_QUERY_NOT_FOUND: { description: "An automatic persisted query's hash is unknown to the server: send the full query with it." },
    PERSISTED_QUERY_NOT_SUPPORTED: { description: "Persisted queries are not accepted for this request." },
    INTERNAL: { description: "An unexpected error on the server; the message carries no detail. Retrying later may help." },
    FILE_TOO_LARGE: { description: "An upload's bytes exceed the size announced in `createUpload` or allowed for its purpose (HTTP 413)." },
    FILE_TYPE: { description: "An upload's bytes are not of a type its purpose allows; the type is read from the bytes, not the file name (HTTP 415)." },
    FILE_EMPTY: { description: "An upload arrived without any bytes (HTTP 400)." },
  },
});

/**
 * One problem with one input field: the field's path, the rule it breaks, and a readable message.
 * `rule` is one vocabulary of SCREAMING_SNAKE_CASE names (REQUIRED, LENGTH, FORMAT, EMAIL, RANGE, TYPE, UNIQUE, ...),
 * never a DOMAIN rule number and never a raw class-validator constraint name.
 */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    // Everything in `extra` reaches the client as an extension: no DOMAIN rule numbers here (cite them in a comment at the throw).
    readonly extra: { fields?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what = "Object") => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message = "You are not allowed to do this") => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = () => new AppError(ErrorCode.UNAUTHENTICATED, "Not logged in or session expired");
export const conflict = (message: string) => new AppError(ErrorCode.CONFLICT, message);

/** Input refused: lists every field and the rule it breaks. */
export function badInput(fields: FieldProblem[]): AppError {
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return new AppError(ErrorCode.BAD_USER_INPUT, `Invalid input: ${summary}`, { fields });
}

/** Collects field problems and throws them together, so a client sees every mistake at once. */
export class Problems {
  private readonly list: FieldProblem[] = [];
  add(field: string, rule: string, message: string): this {
    this.list.push({ field, rule, message });
    return this;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw badInput(this.list);
  }
}

/**
 * class-validator's constraint names (the decorators' names) in the API's rule vocabulary: clients see
 * what was broken, not which library checked it. Add a row when a type uses a new decorator.
 */
const VALIDATOR_RULES: Readonly<Record<string, string>> = {
  isNotEmpty: "REQUIRED",
  isDefined: "REQUIRED",
  arrayNotEmpty: "REQUIRED",
  isLength: "LENGTH",
  minLength: "LENGTH",
  maxLength: "LENGTH",
  arrayMinSize: "LENGTH",
  arrayMaxSize: "LENGTH",
  matches: "FORMAT",
  isUuid: "FORMAT",
  isEmail: "EMAIL",
  min: "RANGE",
  max: "RANGE",
  isPositive: "RANGE",
  arrayUnique: "UNIQUE",
  isBoolean: "TYPE",
  isInt: "TYPE",
  isNumber: "TYPE",
  isString: "TYPE",
  isArray: "TYPE",
  isEnum: "TYPE",
  isDateString: "TYPE",
  nestedValidation: "TYPE",
};

/** A constraint name in the rule vocabulary; one without a row becomes SCREAMING_SNAKE_CASE (isFooBar → IS_FOO_BAR). */
function validatorRule(constraint: string): string {
  return VALIDATOR_RULES[constraint] ?? constraint.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function flattenValidation(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({ field, rule: validatorRule(constraint), message }));
    return [...own, ...flattenValidation(e.children ?? [], field)];
  });
}

function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * The one place errors become what clients see. Known errors keep their code and fields;
 * anything unexpected is logged in full and masked to INTERNAL, so no SQL, stack or parameter leaks.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (isAppError(original)) {
      // Only the documented extensions: whatever else a throw site passed (an old `rule: "A1"`) stays on the server.
      const { fields, retryAfterSeconds } = original.extra;
      return { ...base, message: original.message, extensions: { code: original.code, ...stripUndefined({ fields, retryAfterSeconds }) } };
    }
    if (original instanceof ArgumentValidationError) {
      const errors = original.extensions.validationErrors as ValidationError[];
      // Arguments of an @ArgsType (first, after, search) are top-level; everything else is the mutation's `input`.
      const topLevel = errors[0]?.target?.constructor.name.endsWith("Args") ?? false;
      const fields = flattenValidation(errors, topLevel ? "" : "input");
      return {
        ...base,
        message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
        extensions: { code: ErrorCode.BAD_USER_INPUT, fields },
      };
    }
    // A variable a scalar or enum refused (an invalid email, an unknown enum value): the scalar's own error is the original,
    // but the request never reached a resolver (no path), and Apollo has marked it as bad input.
    const coercion = error instanceof GraphQLError && !formatted.path && formatted.extensions?.code === "BAD_USER_INPUT";
    // Apollo wraps validation errors (graphql-js's own, armor's limits, introspection in production)
    // around the GraphQLError that a rule reported: that one is the original, and it is no accident.
    if (error instanceof GraphQLError && (!original || original instanceof GraphQLError || coercion)) {
      // Errors graphql-js or Apollo raised themselves: parse, validation, variable coercion.
      const code = String(formatted.extensions?.code ?? ErrorCode.GRAPHQL_VALIDATION_FAILED);
      const mapped = code === "INTERNAL_SERVER_ERROR" ? ErrorCode.INTERNAL : KNOWN_CODES.has(code) ? (code as ErrorCode) : ErrorCode.BAD_REQUEST;
      // graphql-js suggests schema names ("Did you mean ...?") for unknown fields, arguments, types and enum values:
      // the schema is not public in production, so no client gets them, over HTTP or WebSocket.
      const message = withoutSuggestions(formatted.message);
      const fields = mapped === ErrorCode.BAD_USER_INPUT ? coercionProblems(message) : [];
      return { ...base, message, extensions: { code: mapped, ...(fields.length ? { fields } : {}) } };
    }
    if (pgErrorCode(original) === "23505") {
      // A unique constraint caught a race a service's own check could not (two requests at once).
      log.warn({ err: original, path: formatted.path }, "unique violation answered as CONFLICT");
      return { ...base, message: "This conflicts with data that exists already; reload and try again", extensions: { code: ErrorCode.CONFLICT } };
    }
    if (pgErrorCode(original) === "22021" || pgErrorCode(original) === "22P05") {
      // A character PostgreSQL cannot store (a NUL byte) that the input check did not see: still the client's input.
      log.warn({ err: original, path: formatted.path }, "untranslatable character answered as BAD_USER_INPUT");
      return { ...base, message: "Invalid input: a text contains a character that cannot be stored", extensions: { code: ErrorCode.BAD_USER_INPUT, fields: [] } };
    }
    log.error({ err: original ?? error, path: formatted.path }, "unexpected error");
    return { message: "Internal error", locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL } };
  };
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** A graphql-js message without its "Did you mean ...?" (names in quotes, so no "?" inside). */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, "");
}

/**
 * The field a variable-coercion message of graphql-js names, e.g.
 * `Variable "$input" got invalid value "x" at "input.email"; Value is not a valid email address: x`.
 */
function coercionProblems(message: string): FieldProblem[] {
  const m = /^Variable "\$(\w+)" got invalid value .*?(?: at "(\w+(?:\.\w+|\[\d+\])*)")?; ([\s\S]*)$/.exec(message);
  if (!m) return [];
  const [, variable, at, detail] = m as unknown as [string, string, string | undefined, string];
  // A missing or unknown field is reported at its parent object; name the field itself.
  const child = /^Field "(\w+)" (?:of required type .* was not provided|is not defined by type)/.exec(detail)?.[1];
  // One style of path everywhere: input.permissions.1, as the services write it.
  const field = [at ?? variable, child].filter(Boolean).join(".").replace(/\[(\d+)\]/g, ".$1");
  // The EmailAddress scalar refuses an address the way services do: the same rule either way.
  const rule = /^Value is not a valid email address/.test(detail) ? "EMAIL" : "TYPE";
  return [{ field, rule, message: detail }];
}

/** The PostgreSQL error code behind a driver or drizzle error (drizzle wraps it as `cause`). */
function pgErrorCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === "object" && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
