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
  GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED",
  INTERNAL = "INTERNAL",
}
registerEnumType(ErrorCode, { name: "ErrorCode", description: "Stable codes in `extensions.code` of every error." });

/** One problem with one input field: the field's path, the rule it breaks, and a readable message. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { fields?: FieldProblem[]; rule?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what = "Object") => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message = "You are not allowed to do this") => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = () => new AppError(ErrorCode.UNAUTHENTICATED, "Not logged in or session expired");
export const conflict = (message: string, rule?: string) => new AppError(ErrorCode.CONFLICT, message, { rule });

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
  get empty(): boolean {
    return this.list.length === 0;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw badInput(this.list);
  }
}

function flattenValidation(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
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
      return { ...base, message: original.message, extensions: { code: original.code, ...stripUndefined(original.extra) } };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = flattenValidation(original.extensions.validationErrors as ValidationError[], "input");
      return {
        ...base,
        message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
        extensions: { code: ErrorCode.BAD_USER_INPUT, fields },
      };
    }
    if (error instanceof GraphQLError && !original) {
      // Errors graphql-js or Apollo raised themselves: parse, validation, variable coercion.
      const code = String(formatted.extensions?.code ?? ErrorCode.GRAPHQL_VALIDATION_FAILED);
      const mapped = code === "BAD_USER_INPUT" ? ErrorCode.BAD_USER_INPUT : code === "INTERNAL_SERVER_ERROR" ? ErrorCode.INTERNAL : code;
      return { ...base, extensions: { code: mapped } };
    }
    log.error({ err: original ?? error, path: formatted.path }, "unexpected error");
    return { message: "Internal error", locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL } };
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
