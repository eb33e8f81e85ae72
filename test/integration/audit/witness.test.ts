import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { cosignatureSigner, ed25519Verifier, vkeyFor } from '../../../server/audit/checkpoint.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { formatSignatureLine, parseVkey, SIG_COSIGNATURE_V1 } from '../../../server/audit/note.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { checkCheckpoint } from '../../../server/audit/verifier.js';
import { httpWitness } from '../../../server/audit/witness-client.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { freshDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from './helpers.js';

const ORIGIN = 'witnessed.example/audit/v1';
const WITNESS = 'witness.example/w1';

/** A minimal tlog-witness stand-in: cosigns whatever checkpoint it is sent, or fails on demand. */
async function fakeWitness(
  fail: () => boolean,
): Promise<{ server: Server; url: string; requests: string[] }> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = cosignatureSigner(WITNESS, privateKey);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', async () => {
      requests.push(body);
      if (fail()) return res.writeHead(500).end();
      const note = body.slice(body.indexOf('\n\n') + 2);
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(formatSignatureLine(WITNESS, signer.keyId, await signer.sign(text)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (server as Server & { vkey?: string }).vkey = vkeyFor(WITNESS, privateKey, SIG_COSIGNATURE_V1);
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

describe('audit log: witness cosignatures', function () {
  this.timeout(20_000);

  it('adds a verified cosignature to the checkpoint, and publishes without it when the witness fails', async () => {
    let failing = false;
    const witness = await fakeWitness(() => failing);
    const witnessVkey = (witness.server as Server & { vkey: string }).vkey;
    try {
      const { db } = await freshDatabase();
      const keys = await FileKeyStore.open({
        dir: mkdtempSync(join(tmpdir(), 'juc-keys-')),
        allowGenerate: true,
      });
      const logKey = vkeyFor(ORIGIN, keys.current('checkpoint').publicKey);
      const audit = createAuditService({
        repo: knexAuditRepo(db),
        logKeys: () => [logKey],
      });
      const logger = pino({ level: 'silent' });
      const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 100 });
      const verifier = ed25519Verifier(WITNESS, parseVkey(witnessVkey).publicKey, SIG_COSIGNATURE_V1);
      const checkpointer = createCheckpointer({
        db,
        logger,
        keys,
        origin: ORIGIN,
        minIntervalMs: 0,
        witnesses: [httpWitness(witness.url, verifier)],
      });
      for (let i = 0; i < 5; i++) await audit.append(entryFor(subjectOf('w')));
      await sequencer.runOnce();
      await checkpointer.publish(true);
      for (let i = 0; i < 4; i++) await audit.append(entryFor(subjectOf('w')));
      await sequencer.runOnce();
      await checkpointer.publish(true);

      const rows = (await db('checkpoint').orderBy('id')) as {
        size: number;
        note: string;
        cosigned_by: string[];
      }[];
      expect(rows.map((r) => r.cosigned_by)).to.deep.equal([[WITNESS], [WITNESS]]);
      const checked = await checkCheckpoint(rows[1]!.note, { logKey, witnessKeys: [witnessVkey] });
      expect(checked.ok).to.equal(true);
      if (checked.ok) expect(checked.signatures.map((s) => s.name)).to.deep.equal([ORIGIN, WITNESS]);
      // The second request proved consistency from the size the witness had seen (5) to 9.
      expect(witness.requests[1]).to.match(/^old 5\n([A-Za-z0-9+/]{43}=\n)+\n/);

      failing = true;
      await checkpointer.publish(true);
      const last = (await db('checkpoint').orderBy('id', 'desc').first()) as {
        note: string;
        cosigned_by: string[];
      };
      expect(last.cosigned_by).to.deep.equal([]);
      expect((await checkCheckpoint(last.note, { logKey })).ok).to.equal(true);
    } finally {
      witness.server.close();
    }
  });
});
