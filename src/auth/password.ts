import argon2 from "argon2";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEn from "@zxcvbn-ts/language-en";
import * as zxcvbnDe from "@zxcvbn-ts/language-de";
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
 * zxcvbn's score 4: an attacker needs at least 10^10 guesses. Word + year + symbol ("Passwort2025!") and keyboard
 * rows ("Qwertz1234!") score 3 and below; the character rules alone let them through.
 */
export const MIN_GUESSES_LOG10 = 10;

/** zxcvbn only rates the first characters (it is quadratic); a longer password is not weaker for it. */
const ESTIMATE_CHARS = 100;

let estimator: ZxcvbnFactory | undefined;

/**
 * Offline strength estimate: about 50,000 leaked passwords, English and German words, names and Wikipedia
 * terms, keyboard layouts (QWERTY and QWERTZ), dates, repeats, sequences and l33t spellings. Built on first use.
 */
function guessesLog10(password: string, userInputs: string[]): number {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary, ...zxcvbnDe.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  });
  // The user's own email parts count as words an attacker knows.
  const words = userInputs.flatMap((i) => i.toLowerCase().split(/[^\p{L}\p{Nd}]+/u)).filter((w) => w.length >= 3);
  return estimator.check(password.slice(0, ESTIMATE_CHARS), words).guessesLog10;
}

/**
 * Rule D4: every rule the password misses, so the app can show them all at once.
 * The rule names share the PASSWORD_ prefix, so a client can group them under the password field.
 */
export function passwordProblems(password: string, field = "input.password", userInputs: string[] = []): FieldProblem[] {
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
  // Rated only once every other rule holds: the rules above already name what a short or plain password misses.
  if (p.length === 0 && guessesLog10(password, userInputs) < MIN_GUESSES_LOG10) {
    p.push({
      field,
      rule: "PASSWORD_GUESSABLE",
      message: "is too easy to guess (common words, names, years, keyboard rows or known passwords); use a longer password, for example several unrelated words",
    });
  }
  return p;
}
