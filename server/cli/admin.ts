/**
 * `npm run admin -- <noun> <verb> [args]`: manage organisations, API clients, clerks and purposes
 * from a shell. Uses the same service as the admin API, so every change is an admin event
 * (actor `cli:<os user>`).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../catalog/catalog.js';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { openConfiguredDatabase } from '../db/connect.js';
import { migrateLatest } from '../db/migrations.js';
import { AppError } from '../errors.js';
import { createOrganisationsRepo } from '../organisations/organisations.repo.js';
import {
  createOrganisationsService,
  type OrganisationsService,
} from '../organisations/organisations.service.js';
import type { OrgClass } from '../organisations/organisations.types.js';

const USAGE = `usage: npm run admin -- <command>

  orgs list [--class agency|public-institution|bank] [--status active|suspended]
  orgs create <id> <class> --en <name> --ko <name> --ja <name>
  orgs suspend <id> --reason <text>
  orgs reinstate <id> --reason <text>
  orgs purposes <id> [--set code,code,...]
  purposes list
  purposes retire <code> --reason <text>
  clients list <orgId>
  clients create <orgId> --name <name> --jwks-file <path> [--id <id>] [--no-dpop]
  clients suspend <clientId> --reason <text>
  clients reinstate <clientId> --reason <text>
  clerks list <orgId>
  clerks create <orgId> --issuer <url> --sub <subject> --name <name>
`;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    class: { type: 'string' },
    status: { type: 'string' },
    en: { type: 'string' },
    ko: { type: 'string' },
    ja: { type: 'string' },
    reason: { type: 'string' },
    set: { type: 'string' },
    name: { type: 'string' },
    id: { type: 'string' },
    'jwks-file': { type: 'string' },
    'no-dpop': { type: 'boolean', default: false },
    issuer: { type: 'string' },
    sub: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

class UsageError extends Error {}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function run(service: OrganisationsService, [noun, verb, arg]: string[]): Promise<void> {
  const actor = { id: `cli:${userInfo().username}` };
  const reason = () => need(flags.reason, '--reason');
  switch (`${noun} ${verb}`) {
    case 'orgs list': {
      let after: string | undefined;
      do {
        const page = await service.listOrganisations({
          limit: 100,
          ...(after ? { after } : {}),
          ...(flags.class ? { class: flags.class as OrgClass } : {}),
          ...(flags.status ? { status: flags.status as 'active' | 'suspended' } : {}),
        });
        for (const o of page.items) process.stdout.write(`${o.id}\t${o.class}\t${o.status}\t${o.names.en}\n`);
        after = page.next ?? undefined;
      } while (after);
      return;
    }
    case 'orgs create':
      return print(
        await service.createOrganisation(
          {
            id: need(arg, '<id>'),
            class: need(positionals[3], '<class>') as OrgClass,
            names: { en: need(flags.en, '--en'), ko: need(flags.ko, '--ko'), ja: need(flags.ja, '--ja') },
          },
          actor,
        ),
      );
    case 'orgs suspend':
      return print(await service.setOrganisationStatus(need(arg, '<id>'), 'suspended', reason(), actor));
    case 'orgs reinstate':
      return print(await service.setOrganisationStatus(need(arg, '<id>'), 'active', reason(), actor));
    case 'orgs purposes':
      if (flags.set !== undefined) {
        return print(
          await service.setEntitlements(need(arg, '<id>'), flags.set.split(',').filter(Boolean), actor),
        );
      }
      return print(await service.entitlements(need(arg, '<id>')));
    case 'purposes list':
      for (const p of await service.allPurposes()) {
        process.stdout.write(
          `${p.code}\t${p.status}\t${p.consentBasis}\t${p.recordTypes.length} record types\t${p.names.en}\n`,
        );
      }
      return;
    case 'purposes retire':
      return print(await service.retirePurpose(need(arg, '<code>'), reason(), actor));
    case 'clients list':
      return print(await service.listClients(need(arg, '<orgId>')));
    case 'clients create':
      return print(
        await service.createClient(
          need(arg, '<orgId>'),
          {
            id: flags.id,
            name: need(flags.name, '--name'),
            jwks: JSON.parse(readFileSync(need(flags['jwks-file'], '--jwks-file'), 'utf8')),
            dpopRequired: !flags['no-dpop'],
          },
          actor,
        ),
      );
    case 'clients suspend':
      return print(await service.setClientStatus(need(arg, '<clientId>'), 'suspended', reason(), actor));
    case 'clients reinstate':
      return print(await service.setClientStatus(need(arg, '<clientId>'), 'active', reason(), actor));
    case 'clerks list':
      return print(await service.listClerks(need(arg, '<orgId>')));
    case 'clerks create':
      return print(
        await service.createClerk(
          need(arg, '<orgId>'),
          {
            idpIssuer: need(flags.issuer, '--issuer'),
            idpSub: need(flags.sub, '--sub'),
            name: need(flags.name, '--name'),
          },
          actor,
        ),
      );
    default:
      throw new UsageError(`unknown command: ${[noun, verb].filter(Boolean).join(' ') || '(none)'}`);
  }
}

if (flags.help || positionals.length < 2) {
  process.stdout.write(USAGE);
  process.exit(flags.help ? 0 : 2);
}

loadDotEnv();
let exitCode = 0;
try {
  const config = loadConfig();
  const { db, close } = await openConfiguredDatabase(config, { poolMax: 2, applicationName: 'admin-cli' });
  try {
    await migrateLatest(db);
    const catalog = loadCatalog();
    const service = createOrganisationsService({
      repo: createOrganisationsRepo(db),
      recordTypeExists: (id) => catalog.has(id),
    });
    await run(service, positionals);
  } finally {
    await close();
  }
} catch (err) {
  exitCode = err instanceof UsageError ? 2 : 1;
  const message =
    err instanceof UsageError
      ? `${err.message}\n\n${USAGE}`
      : err instanceof AppError
        ? `${err.code}: ${err.detail ?? err.title}${err.issues ? `\n${err.issues.map((i) => `  ${i.pointer}: ${i.message}`).join('\n')}` : ''}`
        : err instanceof ConfigError
          ? err.message
          : String((err as Error).stack ?? err);
  process.stderr.write(`${message}\n`);
}
process.exit(exitCode);
