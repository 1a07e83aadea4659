/** The types the app accepts; anything else is refused at upload. */
export const MIME_TYPES = ["image/jpeg", "image/png", "image/heic", "application/pdf"] as const;
export type Mime = (typeof MIME_TYPES)[number];

/** How many leading bytes `sniff` needs to decide (enough for an ISO BMFF `ftyp` box with its brands). */
export const SNIFF_LENGTH = 64;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const PDF_SIGNATURE = [...Buffer.from("%PDF-", "latin1")];
// Major brands of HEIF images (ISO/IEC 23008-12) and of HEVC-coded HEIC.
const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "mif1", "msf1", "heim", "heis"]);
// AVIF is HEIF with AV1 and may carry major brand mif1 too; it lists avif/avis among its compatible brands.
const AVIF_BRANDS = new Set(["avif", "avis"]);

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, end));

function isHeic(bytes: Uint8Array): boolean {
  // An ISO BMFF file starts with the `ftyp` box: size (u32 BE), 'ftyp', major brand, minor version, compatible brands.
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== "ftyp") return false;
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (boxSize < 16 || boxSize % 4 !== 0) return false;
  if (!HEIF_BRANDS.has(ascii(bytes, 8, 12))) return false;
  const end = Math.min(boxSize, bytes.length);
  for (let at = 16; at + 4 <= end; at += 4) {
    if (AVIF_BRANDS.has(ascii(bytes, at, at + 4))) return false;
  }
  return true;
}

/**
 * The real type of a file from its first bytes (pass at least SNIFF_LENGTH when the file is that long).
 * The declared content type and the file name are deliberately not inputs: both are chosen by the client.
 */
export function sniff(bytes: Uint8Array): { mime: Mime } | null {
  if (startsWith(bytes, JPEG_SIGNATURE)) return { mime: "image/jpeg" };
  if (startsWith(bytes, PNG_SIGNATURE)) return { mime: "image/png" };
  if (startsWith(bytes, PDF_SIGNATURE)) return { mime: "application/pdf" };
  if (isHeic(bytes)) return { mime: "image/heic" };
  return null;
}
