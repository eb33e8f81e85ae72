/**
 * Copies a tiled log (C2SP tlog-tiles) into a folder laid out like the log's own URLs (`checkpoint`,
 * `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`, so the folder can itself be served as a mirror)
 * and verifies all of it against a checkpoint cosigned under the mirror's own pinned policy: every
 * entry hashes to its level-0 tile hash, every hash of every higher tile is the root of the full tile
 * below, the leaves fold to the checkpoint's root, and the root at the previously mirrored size equals
 * the previous checkpoint's (consistency, recomputed rather than proved). Full tiles already in the
 * folder are re-verified, not fetched again, so an interrupted copy resumes where it stopped. The
 * folder's `checkpoint` is written only once everything verified.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bytesEqual, toBase64 } from './bytes.js';
import { CompactRange } from './compact-range.js';
import { leafHash } from './merkle.js';
import {
  decodeEntryBundle,
  tileHashes,
  tileLevels,
  tilePath,
  tilesAt,
  TILE_WIDTH,
  type TileRef,
} from './tiles.js';
import { checkWitnessedCheckpoint } from './verifier.js';
import type { WitnessPolicy } from './witness-policy.js';

export interface MirrorOptions {
  /** The log's tiles prefix, e.g. https://log.example/audit/v1/. */
  from: string;
  policy: WitnessPolicy;
  out: string;
  fetch?: (url: string) => Promise<Response>;
  /** Called after each tile (entry bundles included) with how many of `total` are done. */
  progress?: (done: number, total: number) => void;
}

export interface MirrorReport {
  ok: boolean;
  size: number | null;
  previousSize: number | null;
  cosignedBy: string[];
  /** Tiles fetched in this run, and those found in the folder and re-verified. */
  fetched: number;
  reused: number;
  problems: string[];
}

/** Something did not verify (`verification`), or the log did not answer (the copy resumes later). */
class MirrorFailure extends Error {
  readonly verification: boolean;
  constructor(message: string, verification = true) {
    super(message);
    this.verification = verification;
  }
}

function fail(problem: string): never {
  throw new MirrorFailure(problem);
}

export async function mirrorLog(options: MirrorOptions): Promise<MirrorReport> {
  const get = options.fetch ?? ((url: string) => fetch(url));
  const base = options.from.endsWith('/') ? options.from : `${options.from}/`;
  const report: MirrorReport = {
    ok: false,
    size: null,
    previousSize: null,
    cosignedBy: [],
    fetched: 0,
    reused: 0,
    problems: [],
  };
  const written: string[] = [];

  const download = async (path: string): Promise<Uint8Array> => {
    const res = await get(new URL(path, base).toString());
    if (!res.ok) throw new MirrorFailure(`GET ${path}: HTTP ${res.status}`, false);
    return new Uint8Array(await res.arrayBuffer());
  };
  /** A tile from the folder if there, else from the log (kept in the folder once its own checks pass). */
  const tile = async (ref: TileRef, check: (bytes: Uint8Array) => void): Promise<Uint8Array> => {
    const path = tilePath(ref);
    const file = join(options.out, path);
    if (existsSync(file)) {
      const bytes = new Uint8Array(await readFile(file));
      try {
        check(bytes);
      } catch (err) {
        // A kept tile that no longer checks out (changed on disk) is fetched again next time.
        await unlink(file);
        throw err;
      }
      report.reused++;
      return bytes;
    }
    const bytes = await download(path);
    check(bytes);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, bytes);
    await rename(`${file}.tmp`, file);
    written.push(file);
    report.fetched++;
    return bytes;
  };

  try {
    const note = new TextDecoder().decode(await download('checkpoint'));
    const witnessed = await checkWitnessedCheckpoint(note, options.policy);
    if (!witnessed.ok) return fail(`checkpoint: ${witnessed.reason} (${witnessed.detail})`);
    const { size, rootHash } = witnessed.checkpoint;
    report.size = size;
    report.cosignedBy = witnessed.cosignedBy;

    const previous = await previousCheckpoint(options);
    if (previous) {
      report.previousSize = previous.size;
      if (size < previous.size) fail(`the log shrank from ${previous.size} to ${size}`);
    }

    const levels = tileLevels(size);
    const total = tilesAt(size, 'entries').length + levels.reduce((n, l) => n + tilesAt(size, l).length, 0);
    let done = 0;
    const step = () => options.progress?.(++done, total);

    // Level 0 and the entry bundles, leaves folded in order; the nodes they complete are what the
    // higher tiles must hold.
    const range = new CompactRange();
    const expected = new Map<number, Uint8Array[]>(levels.slice(1).map((l) => [l, []]));
    const append = (hashes: Uint8Array[]) => {
      for (const node of range.append(hashes)) {
        if (node.level > 0 && node.level % 8 === 0) expected.get(node.level / 8)?.push(node.hash);
      }
    };
    for (const ref of tilesAt(size, 0)) {
      const hashes = tileHashes(await tile(ref, (b) => wellFormed(ref, b)), ref.width);
      const entriesRef: TileRef = { ...ref, level: 'entries' };
      await tile(entriesRef, (bundle) => {
        let entries: Uint8Array[] = [];
        try {
          entries = decodeEntryBundle(bundle, ref.width);
        } catch (err) {
          fail(`${tilePath(entriesRef)}: ${(err as Error).message}`);
        }
        entries.forEach((entry, i) => {
          if (!bytesEqual(leafHash(entry), hashes[i]!))
            fail(
              `${tilePath(entriesRef)}: entry ${ref.index * TILE_WIDTH + i} does not hash to ${tilePath(ref)}`,
            );
        });
      });
      step();
      step();
      const start = ref.index * TILE_WIDTH;
      if (previous && previous.size > start && previous.size <= start + ref.width) {
        append(hashes.slice(0, previous.size - start));
        if (!bytesEqual(range.root(), previous.rootHash))
          fail(`not consistent with the previous checkpoint: the root at size ${previous.size} differs`);
        append(hashes.slice(previous.size - start));
      } else append(hashes);
    }
    if (!bytesEqual(range.root(), rootHash)) {
      fail(`the leaves' root ${toBase64(range.root())} is not the checkpoint's ${toBase64(rootHash)}`);
    }

    for (const level of levels.slice(1)) {
      const want = expected.get(level)!;
      for (const ref of tilesAt(size, level)) {
        await tile(ref, (bytes) => {
          wellFormed(ref, bytes);
          tileHashes(bytes, ref.width).forEach((h, i) => {
            if (!bytesEqual(h, want[ref.index * TILE_WIDTH + i]!))
              fail(`${tilePath(ref)}: hash ${i} is not the root of the tile below`);
          });
        });
        step();
      }
    }

    await writeFile(join(options.out, 'checkpoint.tmp'), note);
    await rename(join(options.out, 'checkpoint.tmp'), join(options.out, 'checkpoint'));
    if (previous) await dropStalePartials(options.out, previous.size, size);
    report.ok = true;
  } catch (err) {
    if (!(err instanceof MirrorFailure)) throw err;
    report.problems.push(err.message);
    // After a failed check nothing this run fetched is trusted: the next run fetches it again.
    if (err.verification) await Promise.all(written.map((file) => unlink(file).catch(() => undefined)));
  }
  return report;
}

function wellFormed(ref: TileRef, bytes: Uint8Array): void {
  if (bytes.length !== ref.width * 32)
    fail(`${tilePath(ref)}: ${bytes.length} bytes, expected ${ref.width * 32}`);
}

/** The checkpoint the folder holds from the last complete run, verified again under today's policy. */
async function previousCheckpoint(options: MirrorOptions) {
  const file = join(options.out, 'checkpoint');
  if (!existsSync(file)) return undefined;
  const checked = await checkWitnessedCheckpoint(await readFile(file, 'utf8'), options.policy);
  if (!checked.ok) return fail(`the mirrored checkpoint: ${checked.reason} (${checked.detail})`);
  return checked.checkpoint;
}

/** Partial tiles of the previous size that the new size replaced (by a full or a wider tile). */
async function dropStalePartials(out: string, oldSize: number, newSize: number): Promise<void> {
  const keep = new Set<string>();
  const partials = (size: number) =>
    [0, 'entries' as const, ...tileLevels(size).slice(1)].flatMap((level) =>
      tilesAt(size, level)
        .filter((ref) => ref.width < TILE_WIDTH)
        .map(tilePath),
    );
  for (const path of partials(newSize)) keep.add(path);
  for (const path of partials(oldSize)) {
    if (!keep.has(path)) await unlink(join(out, path)).catch(() => undefined);
  }
}
