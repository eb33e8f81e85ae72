import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAccessLogPage } from '../../../server/audit/access-log-verifier.js';
import { utf8 } from '../../../server/audit/bytes.js';
import {
  cosignatureSigner,
  ed25519Signer,
  signCheckpoint,
  vkeyFor,
} from '../../../server/audit/checkpoint.js';
import { leafHash } from '../../../server/audit/merkle.js';
import { formatSignatureLine, SIG_COSIGNATURE_V1 } from '../../../server/audit/note.js';
import { parsePolicy } from '../../../server/audit/witness-policy.js';
import { buildPortalScript } from '../../../server/portal/portal.assets.js';

const ORIGIN = 'portal.example/audit/v1';
const logKey = generateKeyPairSync('ed25519').privateKey;
const witnessKey = generateKeyPairSync('ed25519').privateKey;
const logVkey = vkeyFor(ORIGIN, logKey);
const witnessVkey = vkeyFor('w.portal.example', witnessKey, SIG_COSIGNATURE_V1);
const POLICY = `log ${logVkey}\nwitness W ${witnessVkey}\nquorum W\n`;

describe('witness: the portal check trusts the policy pinned into its bundle', function () {
  this.timeout(60_000);

  it('embeds the policy file in the bundle at build time, and refuses to build with a broken one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-portal-policy-'));
    writeFileSync(join(dir, 'policy.txt'), POLICY);
    const pinned = await buildPortalScript(join(dir, 'policy.txt'));
    expect(pinned.code).to.contain(logVkey);
    expect(pinned.code).to.contain(witnessVkey);
    const bare = await buildPortalScript();
    expect(bare.code).to.not.contain(logVkey);
    writeFileSync(join(dir, 'broken.txt'), `log ${logVkey}\n`);
    let error = '';
    await buildPortalScript(join(dir, 'broken.txt')).catch((e: Error) => (error = e.message));
    expect(error).to.equal('policy: a policy needs exactly one quorum line');
  });

  it('fails a page whose checkpoint lacks the quorum, and passes it once the witness cosigned', async () => {
    const root = leafHash(utf8('only entry'));
    const note = await signCheckpoint({ origin: ORIGIN, size: 1, rootHash: root }, [
      ed25519Signer(ORIGIN, logKey),
    ]);
    const page = { checkpoint: note, treeSize: 1, consistency: null, entries: [] };
    const policy = parsePolicy(POLICY);
    const bare = await verifyAccessLogPage(page, { logKey: logVkey, policy });
    expect(bare).to.include({ ok: false, checkpoint: 'quorum_not_met' });
    const signer = cosignatureSigner('w.portal.example', witnessKey, () => 1_765_000_000);
    const text = note.slice(0, note.indexOf('\n\n') + 1);
    const cosigned = note + formatSignatureLine('w.portal.example', signer.keyId, await signer.sign(text));
    const ok = await verifyAccessLogPage({ ...page, checkpoint: cosigned }, { logKey: logVkey, policy });
    expect(ok).to.include({ ok: true, checkpoint: 'verified', checkpointSize: 1 });
    // Without a policy the log signature alone is enough, as before.
    expect(await verifyAccessLogPage(page, { logKey: logVkey })).to.include({ ok: true });
  });
});
