// A bank's evidence verified offline: a real query with a signed copy, its entry sequenced and the
// checkpoint cosigned by two real witness listeners, the receipt read back, and the bundle
// {signedCopy, receipt} checked by `npm run evidence:verify` with only the saved JWKS and the pinned
// 2-of-2 policy. Mixed-up, edited or under-witnessed evidence, and evidence checked against other
// keys, is refused.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { vkeyFor } from '../../server/audit/checkpoint.js';
import { verifyEvidence, type EvidenceBundle } from '../../server/audit/evidence.js';
import { parseNote } from '../../server/audit/note.js';
import { parsePolicy, type WitnessPolicy } from '../../server/audit/witness-policy.js';
import { FileKeyStore } from '../../server/keys/file-key-store.js';
import { startWitness, type RunningWitness } from '../../server/witness/server.js';
import {
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  testConfig,
  type TestApp,
} from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { startTestRegistry } from '../support/registry.js';
import {
  HANBIT,
  MINJUN_ID,
  citizen,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from './consents/consent-fixtures.js';

const CLI = fileURLToPath(new URL('../../server/cli/evidence-verify.ts', import.meta.url));
const RECORDS = [
  { recordType: 'resident.registration-abstract', fields: { required: ['address'], optional: [] } },
  { recordType: 'tax.national-payment-certificate', fields: { required: ['hasArrears'], optional: [] } },
];

function run(...args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('evidence: a signed copy, its receipt and the cosigned checkpoint, verified offline', function () {
  this.timeout(90_000);
  let t: TestApp;
  const witnesses: RunningWitness[] = [];
  let policy: WitnessPolicy;
  let jwks: JSONWebKeySet;
  let bundles: EvidenceBundle[];
  const dir = mkdtempSync(join(tmpdir(), 'juc-evidence-'));

  before(async () => {
    const config = testConfig();
    const keys = await FileKeyStore.open({ dir: config.keyStoreDir, allowGenerate: true });
    const logVkey = vkeyFor(config.audit.logOrigin, keys.current('checkpoint').publicKey);
    for (const label of ['a', 'b']) {
      witnesses.push(
        await startWitness({
          name: `witness-${label}.evidence.test`,
          dataDir: mkdtempSync(join(tmpdir(), `juc-ew${label}-`)),
          logKeys: [logVkey],
        }),
      );
    }
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    const list = witnesses.map((w) => ({ name: w.name, url: w.url, publicKey: w.vkey }));
    t = await buildTestApp({
      database,
      registry,
      authenticate: principalFromTestHeader,
      env: { WITNESSES: JSON.stringify(list) },
    });
    await seedConsentWorld(t);
    const policyText = `log ${logVkey}\nwitness A ${witnesses[0]!.vkey}\nwitness B ${witnesses[1]!.vkey}\ngroup both 2 A B\nquorum both\n`;
    policy = parsePolicy(policyText);
    writeFileSync(join(dir, 'policy.txt'), policyText);
    jwks = (await request(t.app).get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet;
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));

    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ records: RECORDS }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    await decideOnScreen(t, created.body.id, citizen(t, MINJUN_ID, 'citizen-minjun'), 'approve', []);
    const token = (
      await request(t.app)
        .post(`/v1/consents/${created.body.id}/token`)
        .set(...asPrincipal(HANBIT))
        .expect(200)
    ).body.token as string;
    const answer = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({
        purpose: 'loan.mortgage-screening',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: RECORDS.map((r) => ({ recordType: r.recordType })),
        consent: { token },
        signedCopy: true,
      });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const records = answer.body.records as { signedCopy: string; audit: { entryId: number } }[];
    // Before the sequencer runs the receipt is pending: no evidence yet.
    const pending = await request(t.app)
      .get(`/v1/log/receipts/${records[0]!.audit.entryId}`)
      .set(...asPrincipal(HANBIT))
      .expect(200);
    expect(pending.body).to.deep.equal({ entryId: records[0]!.audit.entryId, status: 'pending' });
    const { sequencer, checkpointer } = t.composition.audit;
    while ((await sequencer.runOnce()) > 0);
    await checkpointer.publish(true);
    bundles = [];
    for (const record of records) {
      const receipt = await request(t.app)
        .get(`/v1/log/receipts/${record.audit.entryId}`)
        .set(...asPrincipal(HANBIT))
        .expect(200);
      expect(receipt.body.status).to.equal('included');
      bundles.push({ signedCopy: record.signedCopy, receipt: receipt.body as EvidenceBundle['receipt'] });
    }
  });
  after(async () => {
    for (const w of witnesses) await w.stop();
  });

  it('verifies each record’s bundle with the CLI from the pinned JWKS and policy alone', async () => {
    for (const [i, bundle] of bundles.entries()) {
      const file = join(dir, `bundle-${i}.json`);
      writeFileSync(file, JSON.stringify(bundle));
      const out = await run(file, '--policy', join(dir, 'policy.txt'), '--jwks', join(dir, 'jwks.json'));
      expect(out.status, out.stderr + out.stdout).to.equal(0);
      const report = JSON.parse(out.stdout) as Record<string, unknown>;
      expect(report).to.deep.include({
        ok: true,
        entryId: bundle.receipt.entryId,
        index: bundle.receipt.index,
        recordType: RECORDS[i]!.recordType,
        cosignedBy: ['A', 'B'],
        problems: [],
      });
    }
    expect(bundles.map((b) => b.receipt.treeSize)).to.deep.equal([2, 2]);
    expect(bundles.map((b) => b.receipt.index)).to.deep.equal([0, 1]);
  });

  it('refuses a copy paired with another record’s receipt, an edited copy, receipt or proof', async () => {
    const [a, b] = bundles as [EvidenceBundle, EvidenceBundle];
    const check = (bundle: EvidenceBundle) => verifyEvidence(bundle, { jwks, policy });
    const swapped = await check({ signedCopy: a.signedCopy, receipt: b.receipt });
    expect(swapped.problems).to.deep.equal([
      "the attestation is not about the copy's audit entry (entryId and digest differ)",
    ]);
    // The copy's payload edited (a released value), its signature kept.
    const [h, p, s] = a.signedCopy.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { recordType: string };
    payload.recordType = 'tax.income-amount-certificate';
    const edited = await check({
      ...a,
      signedCopy: `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`,
    });
    expect(edited.problems).to.deep.equal(['signed copy: signature verification failed']);
    const moved = await check({ ...a, receipt: { ...a.receipt, index: 1 } });
    expect(moved.problems[0]).to.equal(
      'the receipt does not match what the attestation signs (entryId, index or leaf)',
    );
    const badProof = await check({
      ...a,
      receipt: { ...a.receipt, proof: [b.receipt.leafHash.replace(/^./, 'A')] },
    });
    expect(badProof.ok).to.equal(false);
    expect(badProof.problems[0]).to.match(/^inclusion: /);
  });

  it('refuses a checkpoint short of the quorum, and everything under a JWKS that is not ours', async () => {
    const [a] = bundles as [EvidenceBundle];
    const note = parseNote(a.receipt.checkpoint);
    const unwitnessed = `${note.text}\n${a.receipt.checkpoint.split('\n').find((l) => l.startsWith(`— ${note.text.split('\n')[0]} `))}\n`;
    const short = await verifyEvidence(
      { ...a, receipt: { ...a.receipt, checkpoint: unwitnessed } },
      { jwks, policy },
    );
    expect(short.problems[0]).to.match(/^checkpoint: quorum_not_met/);
    // Same kid and algorithm as our signed-copy key, another key pair.
    const header = decodeProtectedHeader(a.signedCopy);
    const ours = jwks.keys.find((k) => k.kid === header.kid)!;
    const { publicKey } =
      ours.kty === 'OKP'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = {
      keys: [{ ...publicKey.export({ format: 'jwk' }), alg: ours.alg, use: 'sig', kid: ours.kid }],
    };
    const foreign = await verifyEvidence(a, { jwks: stranger as JSONWebKeySet, policy });
    expect(foreign.problems).to.deep.equal(['signed copy: signature verification failed']);
    const usage = await run(join(dir, 'bundle-0.json'), '--policy', join(dir, 'policy.txt'));
    expect(usage.status).to.equal(2);
  });
});
