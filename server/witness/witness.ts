/**
 * A C2SP tlog-witness (c2sp.org/tlog-witness) without HTTP: checks an add-checkpoint request against the
 * logs it is configured with and against what it cosigned before, and cosigns (c2sp.org/tlog-cosignature,
 * cosignature/v1 with a timestamp) only a checkpoint consistent with everything it has seen. A second root
 * for a size it already cosigned — a split view — gets 422 and never a cosignature.
 */
import type { KeyObject } from 'node:crypto';
import { bytesEqual, fromBase64, toBase64 } from '../audit/bytes.js';
import { cosignatureSigner, verifierFromVkey, vkeyFor } from '../audit/checkpoint.js';
import { EMPTY_ROOT, verifyConsistency } from '../audit/merkle.js';
import {
  formatSignatureLine,
  NoteError,
  parseCheckpoint,
  parseNote,
  SIG_COSIGNATURE_V1,
  verifyNote,
  type Checkpoint,
  type NoteVerifier,
} from '../audit/note.js';
import type { WitnessStore } from './store.js';

/** The spec lets clients send at most 63 proof lines. */
const MAX_PROOF_LINES = 63;

export interface WitnessAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
}

export interface WitnessOptions {
  /** Key name of the cosignatures, e.g. witness.example.go.kr/w1 (no spaces or +). */
  name: string;
  privateKey: KeyObject;
  /** vkeys of the logs this witness follows; each key's name is the log's origin. */
  logKeys: readonly string[];
  store: WitnessStore;
  now?: () => number;
  /** Gets validly signed checkpoints the witness refused as inconsistent: evidence of a misbehaving log. */
  onConflict?: (origin: string, request: string, reason: string) => void;
}

export interface Witness {
  name: string;
  /** The cosigner vkey (type 0x04) verifiers pin. */
  vkey: string;
  addCheckpoint(request: string): Promise<WitnessAnswer>;
  /** The latest cosigned checkpoint of a log (monitoring API), or undefined. */
  latest(origin: string): string | undefined;
  origins(): string[];
}

const text = (status: WitnessAnswer['status'], body: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});

interface Request {
  oldSize: number;
  proof: Uint8Array[];
  note: string;
}

function parseRequest(request: string): Request | string {
  const firstNewline = request.indexOf('\n');
  const oldLine = request.slice(0, firstNewline);
  const oldMatch = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  if (firstNewline < 0 || !oldMatch || !Number.isSafeInteger(Number(oldMatch[1]))) {
    return 'the body must start with an "old <size>" line';
  }
  const blank = request.indexOf('\n\n', firstNewline - 1);
  if (blank < 0) return 'the proof lines must end with an empty line';
  const proofText = request.slice(firstNewline + 1, blank + 1);
  const proofLines = proofText === '' ? [] : proofText.slice(0, -1).split('\n');
  if (proofLines.length > MAX_PROOF_LINES) return `at most ${MAX_PROOF_LINES} proof lines`;
  const proof: Uint8Array[] = [];
  for (const line of proofLines) {
    try {
      proof.push(fromBase64(line));
    } catch {
      return 'a proof line is not base64';
    }
  }
  return { oldSize: Number(oldMatch[1]), proof, note: request.slice(blank + 2) };
}

export function createWitness(options: WitnessOptions): Witness {
  const { name, privateKey, store } = options;
  const signer = cosignatureSigner(name, privateKey, options.now);
  const logs = new Map<string, NoteVerifier[]>();
  for (const vkey of options.logKeys) {
    const verifier = verifierFromVkey(vkey);
    logs.set(verifier.name, [...(logs.get(verifier.name) ?? []), verifier]);
  }
  // Checking the old size and recording the new checkpoint must be one atomic step (the spec's race).
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  async function check(request: string): Promise<WitnessAnswer> {
    const parsed = parseRequest(request);
    if (typeof parsed === 'string') return text(400, parsed);
    let checkpoint: Checkpoint;
    let signedText: string;
    try {
      signedText = parseNote(parsed.note).text;
      checkpoint = parseCheckpoint(signedText);
    } catch (err) {
      return text(400, err instanceof NoteError ? err.message : 'the checkpoint is malformed');
    }
    const verifiers = logs.get(checkpoint.origin);
    if (!verifiers) return text(404, `unknown log origin ${checkpoint.origin}`);
    try {
      await verifyNote(parsed.note, verifiers);
    } catch (err) {
      if (err instanceof NoteError) return text(403, err.message);
      throw err;
    }
    if (parsed.oldSize > checkpoint.size) return text(400, 'old size is larger than the checkpoint size');

    return serially(async () => {
      const known = store.get(checkpoint.origin);
      const knownSize = known?.size ?? 0;
      if (parsed.oldSize !== knownSize) {
        return { status: 409, contentType: 'text/x.tlog.size', body: `${knownSize}\n` };
      }
      const refuse = (reason: string): WitnessAnswer => {
        options.onConflict?.(checkpoint.origin, request, reason);
        return text(422, reason);
      };
      if (checkpoint.size === 0 && !bytesEqual(checkpoint.rootHash, EMPTY_ROOT)) {
        return refuse('a checkpoint of size 0 must have the empty tree root');
      }
      if (parsed.oldSize === 0) {
        if (parsed.proof.length > 0) return refuse('the proof from size 0 must be empty');
      } else {
        const verdict = verifyConsistency(
          parsed.oldSize,
          checkpoint.size,
          fromBase64(known!.root),
          checkpoint.rootHash,
          parsed.proof,
        );
        if (!verdict.ok) return refuse(`not consistent with size ${knownSize}: ${verdict.reason}`);
      }
      const line = formatSignatureLine(name, signer.keyId, await signer.sign(signedText));
      store.put(checkpoint.origin, {
        size: checkpoint.size,
        root: toBase64(checkpoint.rootHash),
        checkpoint: `${parsed.note}${line}`,
      });
      return text(200, line);
    });
  }

  return {
    name,
    vkey: vkeyFor(name, privateKey, SIG_COSIGNATURE_V1),
    addCheckpoint: check,
    latest: (origin) => store.get(origin)?.checkpoint,
    origins: () => [...logs.keys()],
  };
}
