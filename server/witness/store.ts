/**
 * The witness's memory: per log origin, the size and root hash of the latest checkpoint it cosigned and
 * that checkpoint as it returned it. A JSON file in the witness's own folder, not a database table:
 * a witness is run by someone other than the log operator (a data-protection authority, a civic
 * group), so it must not depend on — or be rewritable through — the operator's PostgreSQL; one small
 * file per witness also keeps `npm start`'s two witnesses strictly apart. Each update is written to a
 * temporary file, fsynced and renamed over the old one, so a crash leaves either the old or the new
 * state, never half of one.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface LogState {
  size: number;
  /** Base64 root hash. */
  root: string;
  /** The checkpoint note with this witness's cosignature, served to monitors. */
  checkpoint: string;
}

interface StateFile {
  version: 1;
  logs: Record<string, LogState>;
}

export interface WitnessStore {
  get(origin: string): LogState | undefined;
  /** Durable before it returns: the caller answers only after the new state is on disk. */
  put(origin: string, state: LogState): void;
}

function writeDurably(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself must reach the disk too, or a crash could bring the old file back.
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export function openFileStore(dataDir: string): WitnessStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'state.json');
  let state: StateFile = { version: 1, logs: {} };
  if (existsSync(path)) {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
    if (parsed.version !== 1 || typeof parsed.logs !== 'object' || parsed.logs === null) {
      throw new Error(`${path} is not a witness state file (version 1)`);
    }
    state = parsed;
  }
  return {
    get: (origin) => state.logs[origin],
    put(origin, log) {
      const next: StateFile = { version: 1, logs: { ...state.logs, [origin]: log } };
      writeDurably(path, JSON.stringify(next, null, 2) + '\n');
      state = next;
    },
  };
}
