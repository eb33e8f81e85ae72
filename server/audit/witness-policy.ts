/**
 * Trust policy of a verifier in the C2SP tlog-policy format (c2sp.org/tlog-policy): the log keys it
 * accepts, the witnesses it knows and the quorum (`quorum none`, one witness, or nested k-of-n groups) a
 * checkpoint's cosignatures must meet. Everything a verifier trusts comes from this text, which the
 * verifier's owner keeps — never from the server being verified. Pure parsing (no node:*), so the portal's
 * bundle evaluates the same policy as the CLI.
 */
import { NoteError, parseVkey, SIG_COSIGNATURE_V1, SIG_ED25519 } from './note.js';

export class PolicyError extends Error {
  constructor(line: number, message: string) {
    super(line > 0 ? `policy line ${line}: ${message}` : `policy: ${message}`);
    this.name = 'PolicyError';
  }
}

export interface PolicyWitness {
  /** The policy's own name for the witness (used by groups and the quorum). */
  name: string;
  vkey: string;
  /** Cosigner key name and key ID, as found on a signature line. */
  keyName: string;
  keyId: number;
  url?: string;
}

export interface PolicyGroup {
  name: string;
  threshold: number;
  members: string[];
}

export interface WitnessPolicy {
  logs: { vkey: string; origin: string; url?: string }[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  /** A witness or group name, or 'none'. */
  quorum: string;
}

const LIMIT = 32;

export function parsePolicy(text: string): WitnessPolicy {
  const policy: WitnessPolicy = { logs: [], witnesses: [], groups: [], quorum: '' };
  const defined = new Set<string>();
  const keys = new Set<string>();
  let quorumLine = 0;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) throw new PolicyError(0, 'control characters');
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [keyword, ...args] = line.split(/[ \t]+/);
    const key = (vkey: string, type: number) => {
      let parsed;
      try {
        parsed = parseVkey(vkey);
      } catch (err) {
        throw new PolicyError(n, err instanceof NoteError ? err.message : 'bad vkey');
      }
      if (parsed.type !== type) {
        throw new PolicyError(
          n,
          type === SIG_ED25519
            ? 'a log key must be type 0x01'
            : 'a witness key must be a cosignature (type 0x04) key',
        );
      }
      const raw = Array.from(parsed.publicKey).join(',');
      if (keys.has(raw)) throw new PolicyError(n, 'duplicate public key');
      keys.add(raw);
      return parsed;
    };
    const fresh = (name: string | undefined) => {
      if (!name || name === 'none') throw new PolicyError(n, 'missing or reserved name');
      if (defined.has(name)) throw new PolicyError(n, `${name} is already defined`);
      defined.add(name);
      return name;
    };
    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) throw new PolicyError(n, 'log <vkey> [<url>]');
        const parsed = key(args[0]!, SIG_ED25519);
        policy.logs.push({ vkey: args[0]!, origin: parsed.name, ...(args[1] ? { url: args[1] } : {}) });
        break;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) throw new PolicyError(n, 'witness <name> <vkey> [<url>]');
        const name = fresh(args[0]);
        const parsed = key(args[1]!, SIG_COSIGNATURE_V1);
        policy.witnesses.push({
          name,
          vkey: args[1]!,
          keyName: parsed.name,
          keyId: parsed.keyId,
          ...(args[2] ? { url: args[2] } : {}),
        });
        break;
      }
      case 'group': {
        const [name, threshold, ...members] = args;
        if (!name || !threshold || members.length === 0)
          throw new PolicyError(n, 'group <name> <k|all|any> <name>...');
        for (const m of members) {
          if (!defined.has(m)) throw new PolicyError(n, `${m} is not defined on an earlier line`);
        }
        if (new Set(members).size !== members.length) throw new PolicyError(n, 'a member is listed twice');
        const k =
          threshold === 'all'
            ? members.length
            : threshold === 'any'
              ? 1
              : /^[1-9][0-9]*$/.test(threshold)
                ? Number(threshold)
                : NaN;
        if (!(k >= 1 && k <= members.length))
          throw new PolicyError(n, 'the threshold must be all, any or 1..n');
        policy.groups.push({ name: fresh(name), threshold: k, members });
        break;
      }
      case 'quorum': {
        if (quorumLine) throw new PolicyError(n, `a second quorum line (first on line ${quorumLine})`);
        const name = args[0];
        if (args.length !== 1 || !name || (name !== 'none' && !defined.has(name))) {
          throw new PolicyError(n, 'quorum <name> naming a witness or group defined earlier, or none');
        }
        policy.quorum = name;
        quorumLine = n;
        break;
      }
      default:
        throw new PolicyError(n, `unknown keyword ${keyword}`);
    }
  });
  if (!quorumLine) throw new PolicyError(0, 'a policy needs exactly one quorum line');
  if (policy.logs.length > LIMIT || policy.witnesses.length > LIMIT || policy.groups.length > LIMIT) {
    throw new PolicyError(0, `at most ${LIMIT} logs, witnesses and groups`);
  }
  return policy;
}

/** Whether the witnesses that validly cosigned (by policy name) meet the quorum. */
export function quorumMet(policy: WitnessPolicy, cosigned: ReadonlySet<string>): boolean {
  if (policy.quorum === 'none') return true;
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const witnessed = (name: string): boolean => {
    const group = groups.get(name);
    if (!group) return cosigned.has(name);
    return group.members.filter(witnessed).length >= group.threshold;
  };
  return witnessed(policy.quorum);
}

/** The k-of-n policy of one log and a flat list of witnesses, as `npm start` prints it. */
export function formatPolicy(
  logVkey: string,
  witnesses: readonly { name: string; vkey: string; url?: string }[],
  k: number,
): string {
  const lines = [`log ${logVkey}`];
  for (const w of witnesses) lines.push(`witness ${w.name} ${w.vkey}${w.url ? ` ${w.url}` : ''}`);
  if (witnesses.length === 0) lines.push('quorum none');
  else {
    lines.push(`group witnesses ${k} ${witnesses.map((w) => w.name).join(' ')}`);
    lines.push('quorum witnesses');
  }
  return lines.join('\n') + '\n';
}
