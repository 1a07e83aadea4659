import type { Db } from "../db/client.js";
import type { SessionViewer } from "../auth/viewer.js";
import type { Mime } from "./sniff.js";
import type { FileRow } from "./file.table.js";

export type FilePurpose = FileRow["purpose"];

/**
 * What a module says about the files it takes: the real types (read from the bytes) and size it accepts,
 * who may upload for it, and who may download an attached file of it. The file pipeline knows no feature:
 * each module registers its purposes (its `<f>.module.ts`), and the pipeline asks them.
 */
export interface FilePurposeRule {
  types: readonly Mime[];
  maxBytes: number;
  /** Whether the viewer may create an upload of this purpose (FORBIDDEN with `uploadDenied` otherwise). */
  mayUpload(viewer: SessionViewer): boolean;
  uploadDenied: string;
  /** Whether the viewer may download this attached file now (re-checked at every download). The file is of the viewer's firm. */
  mayDownload(db: Db, viewer: SessionViewer, file: FileRow): Promise<boolean>;
}

export type FilePurposes = Record<FilePurpose, FilePurposeRule>;
