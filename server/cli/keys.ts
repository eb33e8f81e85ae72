/**
 * The operator's key commands, on the store KEY_STORE names (files under KEY_STORE_DIR, or the PKCS#11
 * token of PKCS11_MODULE / PKCS11_TOKEN_LABEL / PKCS11_PIN):
 *   `npm run keys -- list`                     every key: purpose, kid, algorithm, state, dates
 *   `npm run keys -- rotate <purpose> [--overlap-days N]`
 *        a new current key for checkpoint, consent-token, response-signature or data-key. The previous
 *        JWS key keeps verifying (and stays in /.well-known/jwks.json) for KEY_OVERLAP_DAYS (or N);
 *        a previous checkpoint key verifies for good; a previous KEK keeps unwrapping. A running server
 *        picks the new key up within a minute. Dev witnesses pin the log key at start: restart them
 *        (and tell real witnesses the new vkey) after rotating the checkpoint key.
 *   `npm run keys -- retire [<purpose>] [--kid K]`
 *        destroys JWS keys whose overlap ended (--kid: one retired key now) and the private half of
 *        retired checkpoint keys; KEKs are never destroyed here.
 * Exit code 0 on success, 1 on a key-store error, 2 on usage errors. Production generates nothing on
 * open: the first keys of a new token come from `rotate`.
 */
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../config.js';
import { isStorePurpose, STORE_PURPOSES, type KeyInfo } from '../keys/key-store.js';
import { openKeyStore } from '../keys/open-key-store.js';

const USAGE = `usage: npm run keys -- list
       npm run keys -- rotate <${STORE_PURPOSES.join('|')}> [--overlap-days N]
       npm run keys -- retire [<purpose>] [--kid K]
`;

function state(key: KeyInfo, now: Date): string {
  if (!key.retiredAt) return 'current';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  if (!key.canSign) return 'retired (public half only)';
  return key.expiresAt ? `overlap until ${key.expiresAt.toISOString()}` : 'retired (still verifies)';
}

function table(keys: KeyInfo[], now: Date): string {
  const rows = keys.map((k) => [k.purpose, k.kid, k.alg, state(k, now), k.createdAt.toISOString()]);
  const all = [['PURPOSE', 'KID', 'ALG', 'STATE', 'CREATED'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'overlap-days': { type: 'string' }, kid: { type: 'string' } },
  });
  const [command, purpose, ...rest] = positionals;
  if (rest.length || !command || !['list', 'rotate', 'retire'].includes(command)) {
    process.stderr.write(USAGE);
    return 2;
  }
  if ((command === 'rotate' && !purpose) || (purpose !== undefined && !isStorePurpose(purpose))) {
    process.stderr.write(`unknown purpose ${purpose ?? ''}\n${USAGE}`);
    return 2;
  }
  const overlapDays = values['overlap-days'] === undefined ? undefined : Number(values['overlap-days']);
  if (overlapDays !== undefined && !(overlapDays >= 0)) {
    process.stderr.write('--overlap-days must be a number of days, 0 or more\n');
    return 2;
  }
  loadDotEnv();
  const config = loadConfig();
  // `rotate` may be how a fresh production token gets its first keys, so opening must not insist.
  const keys = await openKeyStore(config, {
    allowGenerate: config.nodeEnv !== 'production' || command === 'rotate',
  });
  try {
    const now = new Date();
    if (command === 'list') {
      process.stdout.write(table(keys.list(), now));
    } else if (command === 'rotate' && purpose && isStorePurpose(purpose)) {
      const overlapMs = overlapDays === undefined ? config.keyStore.overlapMs : overlapDays * 86_400_000;
      const key = await keys.rotate(purpose, overlapMs);
      process.stdout.write(`rotated ${purpose}: new kid ${key.kid}\n`);
    } else {
      const touched = await keys.retire({
        ...(purpose && isStorePurpose(purpose) ? { purpose } : {}),
        ...(values.kid ? { kid: values.kid } : {}),
      });
      process.stdout.write(touched.length ? `retired ${touched.join(', ')}\n` : 'nothing to retire\n');
    }
    return 0;
  } finally {
    await keys.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`keys failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
