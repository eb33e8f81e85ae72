/**
 * Synthetic people for the dev identity provider. Every value is invented; the resident
 * registration numbers only have a valid *format* (date, century/sex digit, legacy check digit)
 * so that identifier validation downstream treats them like real ones. Constants, not generated,
 * so that tests, screenshots and demo scripts stay stable across runs.
 */

export type DemoRole = 'citizen' | 'clerk' | 'auditor' | 'admin';

export interface DemoIdentity {
  /** Login name on the dev IdP and the `sub` of its tokens. */
  readonly sub: string;
  readonly name: string;
  readonly role: DemoRole;
  readonly birthdate?: string;
  /** 13-digit Korean resident registration number, no hyphen. */
  readonly national_id?: string;
  /** Organisation id of the agency the person acts for. */
  readonly org?: string;
}

export interface DemoAgency {
  readonly org: string;
  readonly name: string;
}

export const DEMO_AGENCIES: readonly DemoAgency[] = Object.freeze([
  { org: 'org-mois', name: 'Ministry of the Interior and Safety' },
  { org: 'org-molit', name: 'Ministry of Land, Infrastructure and Transport' },
  { org: 'org-nts', name: 'National Tax Service' },
  { org: 'org-mma', name: 'Military Manpower Administration' },
  { org: 'org-seoul-jongno', name: 'Jongno District Office, Seoul' },
]);

export const DEMO_CITIZENS: readonly DemoIdentity[] = Object.freeze([
  {
    sub: 'citizen-minjun',
    name: 'Kim Min-jun',
    role: 'citizen',
    birthdate: '1985-03-14',
    national_id: '8503141234562',
  },
  {
    sub: 'citizen-seoyeon',
    name: 'Lee Seo-yeon',
    role: 'citizen',
    birthdate: '1992-07-21',
    national_id: '9207212345676',
  },
  {
    sub: 'citizen-jihoon',
    name: 'Park Ji-hoon',
    role: 'citizen',
    birthdate: '2001-05-05',
    national_id: '0105053123454',
  },
  {
    sub: 'citizen-haeun',
    name: 'Choi Ha-eun',
    role: 'citizen',
    birthdate: '2003-11-30',
    national_id: '0311304765439',
  },
  {
    sub: 'citizen-dohyun',
    name: 'Jung Do-hyun',
    role: 'citizen',
    birthdate: '1977-09-09',
    national_id: '7709091543215',
  },
  {
    sub: 'citizen-youngsook',
    name: 'Kang Young-sook',
    role: 'citizen',
    birthdate: '1968-01-02',
    national_id: '6801022987654',
  },
]);

export const DEMO_CLERKS: readonly DemoIdentity[] = Object.freeze([
  { sub: 'clerk-mois', name: 'Yoon Su-bin', role: 'clerk', org: 'org-mois' },
  { sub: 'clerk-molit', name: 'Han Jae-won', role: 'clerk', org: 'org-molit' },
  { sub: 'clerk-nts', name: 'Oh Min-seo', role: 'clerk', org: 'org-nts' },
  { sub: 'clerk-mma', name: 'Seo Hyun-woo', role: 'clerk', org: 'org-mma' },
  { sub: 'clerk-jongno', name: 'Bae Ji-min', role: 'clerk', org: 'org-seoul-jongno' },
]);

export const DEMO_STAFF: readonly DemoIdentity[] = Object.freeze([
  { sub: 'auditor', name: 'Demo Auditor', role: 'auditor', org: 'org-jointuse' },
  { sub: 'admin', name: 'Demo Administrator', role: 'admin', org: 'org-jointuse' },
]);

export const DEMO_IDENTITIES: readonly DemoIdentity[] = Object.freeze([
  ...DEMO_CITIZENS,
  ...DEMO_CLERKS,
  ...DEMO_STAFF,
]);

const bySub = new Map(DEMO_IDENTITIES.map((identity) => [identity.sub, identity]));

export function findDemoIdentity(sub: string): DemoIdentity | undefined {
  return bySub.get(sub);
}

/** The claims an identity may release; the IdP filters them by granted scope. */
export function demoClaims(identity: DemoIdentity): { sub: string; [claim: string]: string } {
  const claims: { sub: string; [claim: string]: string } = {
    sub: identity.sub,
    name: identity.name,
    role: identity.role,
  };
  if (identity.birthdate) claims.birthdate = identity.birthdate;
  if (identity.national_id) claims.national_id = identity.national_id;
  if (identity.org) claims.org = identity.org;
  return claims;
}
