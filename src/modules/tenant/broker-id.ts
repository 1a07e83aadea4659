import crypto from "node:crypto";

/** Rule A2: no 0/O and no 1/I/L, so an ID read aloud or off paper is typed right. */
export const BROKER_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const BROKER_ID_LENGTH = 6;

export function generateBrokerId(): string {
  let id = "";
  for (let i = 0; i < BROKER_ID_LENGTH; i++) id += BROKER_ID_ALPHABET[crypto.randomInt(BROKER_ID_ALPHABET.length)];
  return id;
}

/** Broker IDs are case-insensitive and may be typed with spaces (or a dash) in them. */
export function normalizeBrokerId(input: string): string {
  return input.replace(/[\s-]+/g, "").toUpperCase();
}
