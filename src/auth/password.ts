import argon2 from "argon2";
import type { FieldProblem } from "../errors.js";

/** OWASP's minimum for argon2id: about 27 ms a hash on this machine, far cheaper than the library default. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export const argon2Hasher: PasswordHasher = {
  hash: (password) => argon2.hash(password, ARGON2_OPTIONS),
  verify: async (hash, password) => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  },
};

/** Passwords that meet every character rule yet are among the first any attacker tries. */
const COMMON = new Set(
  [
    "Passwort1!", "Passwort123!", "Password1!", "Password123!", "P@ssw0rd", "P@ssword1", "Passw0rd!",
    "Qwertz123!", "Qwerty123!", "Welcome1!", "Willkommen1!", "Sommer2024!", "Sommer2025!", "Sommer2026!",
    "Winter2024!", "Winter2025!", "Winter2026!", "Hallo123!", "Abcd1234!", "Test1234!", "Admin123!",
    "Changeme1!", "Letmein1!", "Geheim123!", "Start123!", "Iloveyou1!", "Master123!", "Monkey123!",
  ].map((p) => p.toLowerCase()),
);

export const MAX_PASSWORD_LENGTH = 200;

/**
 * Rule D4: every rule the password misses, so the app can show them all at once.
 * The rule names share the PASSWORD_ prefix, so a client can group them under the password field.
 */
export function passwordProblems(password: string, field = "input.password"): FieldProblem[] {
  const p: FieldProblem[] = [];
  if (password.length < 8) p.push({ field, rule: "PASSWORD_MIN_LENGTH", message: "must have at least 8 characters" });
  if (password.length > MAX_PASSWORD_LENGTH)
    p.push({ field, rule: "PASSWORD_MAX_LENGTH", message: `must have at most ${MAX_PASSWORD_LENGTH} characters` });
  if (!/\p{Ll}/u.test(password)) p.push({ field, rule: "PASSWORD_LOWERCASE", message: "must contain a lower-case letter" });
  if (!/\p{Lu}/u.test(password)) p.push({ field, rule: "PASSWORD_UPPERCASE", message: "must contain an upper-case letter" });
  if (!/\p{Nd}/u.test(password)) p.push({ field, rule: "PASSWORD_DIGIT", message: "must contain a digit" });
  if (!/[^\p{L}\p{Nd}\s]/u.test(password))
    p.push({ field, rule: "PASSWORD_SPECIAL", message: "must contain a special character" });
  if (COMMON.has(password.toLowerCase()))
    p.push({ field, rule: "PASSWORD_COMMON", message: "is one of the most common passwords; choose another" });
  return p;
}
