import fs from "node:fs";
import path from "node:path";

/** The file in a PGlite data directory that names the process owning it. */
export const LOCK_FILE = "kundenapp.lock";

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another process (pid ${ownerPid}), most likely the running server. ` +
        "PGlite can be opened by one process only: a second one would write changes the server never sees and that are lost. " +
        "Stop the server first (then run the command again), or do this through the running server: the operator mutations " +
        "(createTenant, setCustomerAppEnabled) with Authorization: Bearer $OPERATOR_TOKEN. With DATABASE_URL (PostgreSQL) any number of processes may run.",
    );
    this.name = "DataDirLockedError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user; still an owner.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Makes this process the only owner of a PGlite data directory (created atomically with O_EXCL), or throws
 * DataDirLockedError naming the owner. A lock left by a process that died is taken over. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      const release = () => {
        process.off("exit", release);
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // Gone already.
        }
      };
      // A crash or process.exit() without close() must not leave the directory locked to a live pid.
      process.on("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt(fs.readFileSync(file, "utf8"), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) throw new DataDirLockedError(dataDir, owner);
      // The owner is gone (or it is this process reopening): take the directory over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
