/**
 * Client of a C2SP tlog-witness (`POST <url>/add-checkpoint`): sends the size the witness last cosigned,
 * a consistency proof from there to the new checkpoint and the signed checkpoint; gets back cosignature
 * lines and keeps only those that verify against the witness's configured key. The witness's size is
 * remembered between calls; after a restart (or another checkpointer's submission) the witness answers
 * 409 with its size and the request is made once more from there.
 */
import { toBase64 } from './bytes.js';
import { assembleNote, parseNote, verifyNote, type NoteVerifier } from './note.js';
import { verifierFromVkey } from './checkpoint.js';

export type WitnessRefusal = { status: number; detail: string };

export interface Witness {
  readonly name: string;
  /**
   * The witness's verified cosignature lines for the note, or its refusal. `proofFrom` produces the
   * consistency proof from whatever size the witness says it has.
   */
  cosign(
    note: string,
    proofFrom: (oldSize: number) => Promise<Uint8Array[] | null>,
  ): Promise<{ lines: string[] } | WitnessRefusal>;
}

export function httpWitness(baseUrl: string, verifier: NoteVerifier, timeoutMs = 1000): Witness {
  const url = new URL('add-checkpoint', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  let knownSize = 0;
  const post = async (note: string, oldSize: number, proof: Uint8Array[]) => {
    const body = `old ${oldSize}\n${proof.map((p) => `${toBase64(p)}\n`).join('')}\n${note}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  };
  return {
    name: verifier.name,
    async cosign(note, proofFrom) {
      const { text } = parseNote(note);
      const size = Number(text.split('\n')[1]);
      let answer: { status: number; text: string } | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        const proof = await proofFrom(knownSize);
        if (!proof) return { status: 0, detail: `witness is at size ${knownSize}, beyond ${size}` };
        answer = await post(note, knownSize, proof);
        if (answer.status !== 409) break;
        const known = answer.text.trim();
        if (!/^(0|[1-9][0-9]*)$/.test(known)) return { status: 409, detail: 'unreadable size in 409' };
        knownSize = Number(known);
      }
      if (!answer || answer.status !== 200) {
        return { status: answer?.status ?? 0, detail: answer?.text.trim() ?? 'no answer' };
      }
      const lines = answer.text
        .split('\n')
        .filter(Boolean)
        .map((l) => `${l}\n`);
      // Keep only what verifies: a witness line we cannot check is not evidence.
      const mine: string[] = [];
      for (const line of lines) {
        try {
          await verifyNote(assembleNote(text, [line]), [verifier]);
          mine.push(line);
        } catch {
          // Another key's line, or a bad signature: not ours to publish.
        }
      }
      if (mine.length === 0)
        return { status: 200, detail: 'no cosignature verified with the configured key' };
      knownSize = size;
      return { lines: mine };
    },
  };
}

export function httpWitnessFromConfig(w: { url: string; publicKey: string }, timeoutMs?: number): Witness {
  return httpWitness(w.url, verifierFromVkey(w.publicKey), timeoutMs);
}
