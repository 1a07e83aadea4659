import sharp, { type Sharp } from "sharp";
import type { Mime } from "./sniff.js";

/** The longest side of the JPEG every photo is given (offices' browsers cannot show HEIC; phones send 12 MP). */
export const RENDITION_MAX_PX = 2560;
/** The longest side of a thumbnail (lists and timelines). */
export const THUMBNAIL_MAX_PX = 320;

export interface Renditions {
  jpeg: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
}

/**
 * A JPEG rendition and a thumbnail of a photo (JPEG, PNG or HEIC), rotated upright by its EXIF orientation
 * and stripped of metadata (no GPS position leaves the office). libvips (sharp) does the work; HEVC-coded
 * HEIC, which the prebuilt libvips cannot decode, is decoded by libheif (heic-decode, WebAssembly) first.
 */
export async function renditions(bytes: Buffer, mime: Mime): Promise<Renditions> {
  const source = mime === "image/heic" ? await decodeHeic(bytes) : sharp(bytes, { failOn: "error" });
  const upright = source.rotate();
  const jpeg = await upright
    .clone()
    .resize({ width: RENDITION_MAX_PX, height: RENDITION_MAX_PX, fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 85, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  const thumbnail = await upright
    .clone()
    .resize({ width: THUMBNAIL_MAX_PX, height: THUMBNAIL_MAX_PX, fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 75 })
    .toBuffer();
  return { jpeg: jpeg.data, thumbnail, width: jpeg.info.width, height: jpeg.info.height };
}

async function decodeHeic(bytes: Buffer): Promise<Sharp> {
  const { default: decode } = await import("heic-decode");
  const image = await decode({ buffer: bytes });
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } });
}
