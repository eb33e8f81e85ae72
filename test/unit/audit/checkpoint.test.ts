import { expect } from 'chai';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { fromBase64, toBase64 } from '../../../server/audit/bytes.js';
import {
  cosignatureSigner,
  ed25519PrivateKeyFromSeed,
  ed25519Signer,
  ed25519Verifier,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  signCheckpoint,
  signNote,
  verifierFromVkey,
  verifyNote,
  vkeyFor,
} from '../../../server/audit/checkpoint.js';
import { NoteError, parseVkey, SIG_COSIGNATURE_V1 } from '../../../server/audit/note.js';

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();

async function rejects(p: Promise<unknown>, code?: NoteError['code']): Promise<NoteError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(NoteError);
    if (code) expect((err as NoteError).code).to.equal(code);
    return err as NoteError;
  }
  expect.fail('expected a NoteError');
}

// golang.org/x/mod/sumdb/note documentation example: an implementation-independent known answer.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE =
  GO_TEXT +
  '\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

// Our golden checkpoint: keys from fixed seeds, a fixed witness clock. Cross-checked once against an
// independent Python (pyca/cryptography) implementation of the same spec text.
const LOG_NAME = 'audit.example/log/v1';
const WITNESS_NAME = 'witness.example/w1';
const LOG_KEY = ed25519PrivateKeyFromSeed(sha('joint-use-center test log key'));
const WITNESS_KEY = ed25519PrivateKeyFromSeed(sha('joint-use-center test witness key'));
const LOG_VKEY = 'audit.example/log/v1+185d45a8+ASakRpwENXahs+U3n5xrrTGkzjEZc3X5jEq3pqi1aew2';
const WITNESS_VKEY = 'witness.example/w1+f8e4dce4+BETOP/jgTPxN8K37Bwe1F0pUb/m2twTklCRGdrYzQTtU';
const GOLDEN_BODY = 'audit.example/log/v1\n1048576\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n';
const GOLDEN_NOTE =
  GOLDEN_BODY +
  '\n' +
  '\u2014 audit.example/log/v1 GF1FqFeMLOBN2DrnUHrR8gKB71raXlIRw/SfjWoh3DL+Zj9+40ywsipOYPquIvUIsSJZ+9al1bGpJA5kOgxMJ8Pj0w4=\n' +
  '\u2014 witness.example/w1 +OTc5AAAAABlU/EAii4NIJVRqiPQ9uJfHvoTwHRJgpnJaLTcDObDwWuK9rjIGTq+3DMdPwaTE0bpC8i3OwS+69f4jYNm3XfCz2oiCw==\n';

const logSigner = ed25519Signer(LOG_NAME, LOG_KEY);
const witnessSigner = cosignatureSigner(WITNESS_NAME, WITNESS_KEY, () => 1700000000);
const logVerifier = verifierFromVkey(LOG_VKEY);
const witnessVerifier = verifierFromVkey(WITNESS_VKEY);

describe('audit/checkpoint', () => {
  describe('known answers', () => {
    it('reproduces the Go sumdb/note example byte for byte', async () => {
      const raw = fromBase64(GO_SKEY.split('+').slice(4).join('+'));
      expect(raw[0]).to.equal(1);
      const key = ed25519PrivateKeyFromSeed(raw.subarray(1));
      expect(vkeyFor('PeterNeumann', key)).to.equal(GO_VKEY);
      expect(await signNote(GO_TEXT, [ed25519Signer('PeterNeumann', key)])).to.equal(GO_NOTE);
      const opened = await verifyNote(GO_NOTE, [verifierFromVkey(GO_VKEY)]);
      expect(opened.text).to.equal(GO_TEXT);
      expect(opened.verified).to.deep.equal([{ name: 'PeterNeumann', keyId: 0xc74f20a3, type: 1 }]);
    });

    it('reproduces the golden checkpoint from fixed seeds', async () => {
      expect(vkeyFor(LOG_NAME, LOG_KEY)).to.equal(LOG_VKEY);
      expect(vkeyFor(WITNESS_NAME, WITNESS_KEY, SIG_COSIGNATURE_V1)).to.equal(WITNESS_VKEY);
      const body = formatCheckpoint({ origin: LOG_NAME, size: 1048576, rootHash: sha('root') });
      expect(body).to.equal(GOLDEN_BODY);
      expect(await signNote(body, [logSigner, witnessSigner])).to.equal(GOLDEN_NOTE);
      const opened = await openCheckpoint(GOLDEN_NOTE, logVerifier, [witnessVerifier]);
      expect(opened.checkpoint.size).to.equal(1048576);
      expect(toBase64(opened.checkpoint.rootHash)).to.equal(toBase64(sha('root')));
      expect(opened.verified).to.deep.equal([
        { name: LOG_NAME, keyId: 0x185d45a8, type: 1 },
        { name: WITNESS_NAME, keyId: 0xf8e4dce4, type: 4, timestamp: 1700000000 },
      ]);
    });
  });

  describe('round trip and tampering', () => {
    const { privateKey: otherKey } = generateKeyPairSync('ed25519');

    it('signs and opens a checkpoint with extension lines', async () => {
      const cp = { origin: LOG_NAME, size: 0, rootHash: sha(''), extensions: ['ext one', 'ext two'] };
      const note = await signCheckpoint(cp, [logSigner]);
      const opened = await openCheckpoint(note, logVerifier);
      expect(opened.checkpoint).to.deep.equal({ ...cp, rootHash: opened.checkpoint.rootHash });
      expect(toBase64(opened.checkpoint.rootHash)).to.equal(toBase64(cp.rootHash));
    });

    it('rejects a tampered size or root', async () => {
      const tamperedSize = GOLDEN_NOTE.replace('\n1048576\n', '\n1048577\n');
      await rejects(openCheckpoint(tamperedSize, logVerifier), 'bad_signature');
      const otherRoot = toBase64(sha('other root'));
      const tamperedRoot = GOLDEN_NOTE.replace('SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=', otherRoot);
      await rejects(openCheckpoint(tamperedRoot, logVerifier), 'bad_signature');
    });

    it('rejects a signature made by another key under the log name', async () => {
      const forged = await signNote(GOLDEN_BODY, [ed25519Signer(LOG_NAME, otherKey)]);
      // Another key means another key ID, so the line is an unknown signature: no known key verified.
      await rejects(openCheckpoint(forged, logVerifier), 'no_known_signature');
      // Same name and key ID but a signature from another key: a known key failing rejects the note.
      const spoofed = parseNote(forged).signatures[0]!;
      const line = `\u2014 ${LOG_NAME} ${toBase64(Buffer.concat([Buffer.from('185d45a8', 'hex'), spoofed.signature]))}\n`;
      await rejects(openCheckpoint(`${GOLDEN_BODY}\n${line}`, logVerifier), 'bad_signature');
    });

    it('does not accept a witness cosignature in place of the log signature', async () => {
      const witnessOnly = await signNote(GOLDEN_BODY, [witnessSigner]);
      expect((await verifyNote(witnessOnly, [logVerifier, witnessVerifier])).verified).to.have.length(1);
      await rejects(openCheckpoint(witnessOnly, logVerifier, [witnessVerifier]), 'no_known_signature');
    });

    it('ignores unknown signers but rejects a bad signature from a known witness', async () => {
      const stranger = cosignatureSigner('stranger.example/w9', otherKey);
      const note = await signNote(GOLDEN_BODY, [logSigner, stranger]);
      expect((await openCheckpoint(note, logVerifier, [witnessVerifier])).verified).to.have.length(1);
      const wrongTime = GOLDEN_NOTE.replace('+OTc5AAAAABlU/EA', '+OTc5AAAAABlU/EE');
      await rejects(openCheckpoint(wrongTime, logVerifier, [witnessVerifier]), 'bad_signature');
      // A verifier that does not know the witness simply ignores that line.
      expect((await openCheckpoint(wrongTime, logVerifier)).verified).to.have.length(1);
    });

    it('checks the origin against the log key name', async () => {
      const note = await signCheckpoint({ origin: 'elsewhere.example/log', size: 1, rootHash: sha('x') }, [
        logSigner,
      ]);
      await rejects(openCheckpoint(note, logVerifier), 'origin_mismatch');
    });
  });

  describe('malformed notes', () => {
    const sigLines = GOLDEN_NOTE.slice(GOLDEN_BODY.length + 1);
    const cases: [string, string][] = [
      ['no trailing newline', GOLDEN_NOTE.slice(0, -1)],
      ['no blank line', GOLDEN_BODY + sigLines],
      ['no signature lines', GOLDEN_BODY + '\n'],
      ['hyphen instead of em dash', GOLDEN_NOTE.replaceAll('\u2014', '-')],
      ['missing space after dash', GOLDEN_NOTE.replace('\u2014 audit', '\u2014audit')],
      ['unpadded base64', GOLDEN_NOTE.replace('Pj0w4=\n', 'Pj0w4\n')],
      ['trailing whitespace', GOLDEN_NOTE.replace('Pj0w4=\n', 'Pj0w4= \n')],
      ['carriage return', GOLDEN_NOTE.replace('1048576\n', '1048576\r\n')],
      ['tab in key name', GOLDEN_NOTE.replace('\u2014 audit.example', '\u2014 audit\texample')],
      ['plus in key name', GOLDEN_NOTE.replace('\u2014 audit.example', '\u2014 audit+example')],
      ['signature too short', `${GOLDEN_BODY}\n\u2014 ${LOG_NAME} ${toBase64(new Uint8Array(4))}\n`],
      ['too many signatures', GOLDEN_NOTE + sigLines.split('\n')[0]!.concat('\n').repeat(100)],
    ];
    for (const [name, note] of cases) {
      it(`rejects: ${name}`, async () => {
        expect(note).to.not.equal(GOLDEN_NOTE);
        await rejects(verifyNote(note, [logVerifier, witnessVerifier]), 'malformed');
      });
    }

    it('accepts 16 signatures, as the spec requires', async () => {
      const extra = Array.from(
        { length: 15 },
        () => GOLDEN_NOTE.slice(GOLDEN_BODY.length + 1).split('\n')[0] + '\n',
      );
      const note = GOLDEN_NOTE.slice(0, -sigLines.length) + sigLines.split('\n')[0] + '\n' + extra.join('');
      expect(parseNote(note).signatures).to.have.length(16);
      expect((await verifyNote(note, [logVerifier])).verified).to.have.length(1);
    });

    it('refuses to sign text without a final newline or with control characters', async () => {
      await rejects(signNote('no newline', [logSigner]), 'malformed');
      await rejects(signNote('bell\u0007\n', [logSigner]), 'malformed');
    });
  });

  describe('checkpoint bodies', () => {
    const root = toBase64(sha('r'));
    const bad: [string, string][] = [
      ['two lines', `o\n5\n`],
      ['leading zero size', `o\n05\n${root}\n`],
      ['negative size', `o\n-1\n${root}\n`],
      ['size beyond 2^53', `o\n9007199254740993\n${root}\n`],
      ['short root', `o\n5\n${toBase64(new Uint8Array(31))}\n`],
      ['empty origin', `\n5\n${root}\n`],
      ['empty extension line', `o\n5\n${root}\n\next\n`],
    ];
    for (const [name, text] of bad) {
      it(`rejects: ${name}`, () => expect(() => parseCheckpoint(text)).to.throw(NoteError));
    }
    it('round-trips size 0 and large sizes', () => {
      for (const size of [0, 1, 2 ** 53 - 1]) {
        const text = formatCheckpoint({ origin: 'o', size, rootHash: sha('r') });
        expect(parseCheckpoint(text).size).to.equal(size);
      }
    });
  });

  describe('vkeys', () => {
    it('round-trips and rejects inconsistent or malformed keys', () => {
      const parsed = parseVkey(LOG_VKEY);
      expect(parsed).to.include({ name: LOG_NAME, keyId: 0x185d45a8, type: 1 });
      expect(() => verifierFromVkey(LOG_VKEY.replace('185d45a8', '185d45a9'))).to.throw(NoteError, /key ID/);
      expect(() => verifierFromVkey(LOG_VKEY.replace('185d45a8', '185D45A8'))).to.throw(NoteError);
      expect(() => verifierFromVkey('nokeyid')).to.throw(NoteError);
      expect(() => verifierFromVkey(`${LOG_NAME}+185d45a8+AQ==`)).to.throw(NoteError);
      expect(() => verifierFromVkey(`${LOG_NAME}+185d45a8+Ag${LOG_VKEY.slice(-42)}`)).to.throw(NoteError);
      expect(ed25519Verifier(LOG_NAME, LOG_KEY).keyId).to.equal(0x185d45a8);
    });
  });
});
