/**
 * Client of a C2SP tlog-witness (`POST <url>/add-checkpoint`): sends the previous size the witness should
 * know, a consistency proof to the new checkpoint and the signed checkpoint; gets back cosignature lines,
 * which are appended to the note after checking them against the witness's configured key.
 */
import { toBase64 } from './bytes.js';
import { assembleNote, parseNote, verifyNote, type NoteVerifier } from './note.js';

export interface Witness {
  /**
   * Returns the note with the witness cosignature added, or null if the witness refused. `proofFrom`
   * produces the consistency proof from whatever size the witness says it has.
   */
  cosign(
    note: string,
    oldSize: number,
    proofFrom: (oldSize: number) => Promise<Uint8Array[]>,
  ): Promise<string | null>;
}

export function httpWitness(baseUrl: string, verifier: NoteVerifier, timeoutMs = 1000): Witness {
  const url = new URL('add-checkpoint', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const post = async (note: string, oldSize: number, proof: Uint8Array[]) => {
    const body = `old ${oldSize}\n${proof.map((p) => `${toBase64(p)}\n`).join('')}\n${note}`;
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  };
  return {
    async cosign(note, oldSize, proofFrom) {
      let response = await post(note, oldSize, await proofFrom(oldSize));
      if (response.status === 409) {
        // The witness knows another size: it tells us which, we prove from there (once).
        const known = Number((await response.text()).trim());
        if (!Number.isSafeInteger(known) || known < 0) return null;
        response = await post(note, known, await proofFrom(known));
      }
      if (response.status !== 200) return null;
      const lines = (await response.text())
        .split('\n')
        .filter(Boolean)
        .map((l) => `${l}\n`);
      const { text, signatures } = parseNote(note);
      const existing = note
        .slice(text.length + 1)
        .split('\n')
        .filter(Boolean)
        .map((l) => `${l}\n`);
      const cosigned = assembleNote(text, [...existing, ...lines]);
      // Keep only what verifies: a witness line we cannot check is not evidence.
      const opened = await verifyNote(cosigned, [verifier]);
      return opened.verified.length && signatures.length ? cosigned : null;
    },
  };
}
