/**
 * Records about things — parcels, buildings, titles, vehicles, ships, rights — and businesses.
 * A parcel's facts come from its number alone (parcels.ts); the owner is the subject, named the
 * same way in every record, and owns the thing only from an adult day on.
 */
import { REFERENCE_DAY, daysFromIsoDate, plusYears, yearOf } from './calendar.js';
import { between, iso, maskRrn, type Override, type Rec, type RecordContext } from './context.js';
import { lifeOf } from './life.js';
import { addressOfParcel, parcelFacts } from './parcels.js';

interface Owner {
  name: string;
  masked: string;
  address: string;
  /** Day the owner acquired the home parcel / business site. */
  since: number;
  arrears: boolean;
}

export function ownerOf(c: RecordContext): Owner {
  if (c.subjectKind === 'corporation') {
    const corp = c.corporation;
    return {
      name: corp.tradeName,
      masked: `${corp.crn.slice(0, 6)}-${corp.crn.charAt(6)}******`,
      address: corp.address.full,
      since: daysFromIsoDate(corp.incorporationDate),
      arrears: false,
    };
  }
  const { life } = c;
  const adult = plusYears(life.member.birth, 19);
  return {
    name: life.member.name,
    masked: maskRrn(life.member.rrn),
    address: life.household.address.full,
    since: Math.min(Math.max(life.household.formed, adult), REFERENCE_DAY - 1),
    arrears: life.arrears.national,
  };
}

function land(r: Rec, c: RecordContext): void {
  const pnu = c.parcelNumber;
  const f = parcelFacts(pnu);
  const o = ownerOf(c);
  const address = addressOfParcel(pnu).full;
  for (const key of ['location', 'siteLocation', 'roadAddress', 'address']) if (key in r) r[key] = address;
  if ('landCategory' in r) r.landCategory = f.category;
  for (const key of ['area', 'siteArea', 'landArea', 'farmlandArea']) if (key in r) r[key] = f.area;
  for (const key of ['officialLandPricePerSquareMetre', 'pricePerSquareMetre'])
    if (key in r) r[key] = f.pricePerSquareMetre;
  if ('useZone' in r) r.useZone = f.useZone;
  if (Array.isArray(r.owners))
    r.owners = [
      {
        name: o.name,
        address: o.address,
        registrationNumberMasked: o.masked,
        share: '1/1',
        changeDate: iso(o.since),
        ...(r.owners[0] && 'changeCause' in (r.owners[0] as Rec) ? { changeCause: 'sale' } : {}),
      },
    ];
  if ('ownerName' in r) r.ownerName = o.name;
  if ('cultivatorName' in r) r.cultivatorName = o.name;
  if (Array.isArray(r.movements))
    r.movements = [
      { date: iso(Math.min(o.since, f.building?.approved ?? o.since)), reason: 'new-registration' },
    ];
  if (Array.isArray(r.ownership)) {
    const built = Math.min(f.building?.approved ?? o.since, o.since);
    const entries: Rec[] = [
      {
        rankNumber: 1,
        purpose: 'ownership-preservation',
        receiptDate: iso(built),
        receiptNumber: 1 + (built % 90_000),
        cause: 'new-construction',
        holderName: '한국토지주택공사',
        holderRegistrationNumberMasked: '110171-0******',
      },
      {
        rankNumber: 2,
        purpose: 'ownership-transfer',
        receiptDate: iso(o.since),
        receiptNumber: 1 + (o.since % 90_000),
        cause: 'sale',
        holderName: o.name,
        holderRegistrationNumberMasked: o.masked,
      },
    ];
    // Unpaid national tax is secured by seizing the debtor's real estate.
    if (o.arrears)
      entries.push({
        rankNumber: 3,
        purpose: 'seizure',
        receiptDate: iso(REFERENCE_DAY - 20),
        receiptNumber: 1 + (REFERENCE_DAY % 90_000),
        cause: 'other',
        holderName: o.name,
        holderRegistrationNumberMasked: o.masked,
      });
    r.ownership = entries;
  }
  if (Array.isArray(r.households))
    r.households = [{ headNameMasked: `${o.name.charAt(0)}*${o.name.slice(2)}`, movedInDate: iso(o.since) }];
  if ('inspectedOn' in r) r.inspectedOn = iso(REFERENCE_DAY);
  if (Array.isArray(r.otherRights))
    for (const right of r.otherRights as Rec[])
      right.receiptDate = iso(between(c.rng, o.since, REFERENCE_DAY - 1));
  const b = f.building;
  if (b) {
    if ('mainUse' in r) r.mainUse = b.use;
    if ('floorsAboveGround' in r) r.floorsAboveGround = b.floors;
    if ('grossFloorArea' in r) r.grossFloorArea = b.grossFloorArea;
    if ('buildingArea' in r) r.buildingArea = b.buildingArea;
    if ('useApprovalDate' in r) r.useApprovalDate = iso(b.approved);
    if ('permitDate' in r) r.permitDate = iso(b.approved - 400 - c.rng.int(400));
  }
}

function vehicle(r: Rec, c: RecordContext): void {
  const o = ownerOf(c);
  const first = c.subjectKind === 'person' ? (c.life.vehicle ?? o.since) : o.since;
  if ('owner' in r) r.owner = { name: o.name, registrationNumberMasked: o.masked, address: o.address };
  if ('ownerName' in r) r.ownerName = o.name;
  if ('baseLocation' in r) r.baseLocation = o.address;
  if ('firstRegistrationDate' in r) r.firstRegistrationDate = iso(first);
  if ('reportDate' in r) r.reportDate = iso(first);
  if ('modelYear' in r) r.modelYear = yearOf(first);
  if ('usage' in r) r.usage = c.subjectKind === 'person' ? 'private' : 'commercial';
  if (Array.isArray(r.ownershipChanges))
    r.ownershipChanges = [{ date: iso(first), cause: 'new-registration' }];
  if (Array.isArray(r.inspections))
    r.inspections = (r.inspections as Rec[])
      .map((x) => ({ ...x, date: iso(between(c.rng, first, REFERENCE_DAY - 1)) }))
      .sort((a, b) => String(a.date).localeCompare(String(b.date)));
  // Local tax in arrears is what gets cars seized.
  if (Array.isArray(r.seizures))
    r.seizures =
      c.subjectKind === 'person' && c.life.arrears.local
        ? [
            {
              date: iso(REFERENCE_DAY - 10),
              authority: `${c.life.household.address.district}청`,
              released: false,
            },
          ]
        : [];
  if (Array.isArray(r.mortgages))
    for (const m of r.mortgages as Rec[]) m.registrationDate = iso(between(c.rng, first, REFERENCE_DAY - 1));
}

function owned(r: Rec, c: RecordContext): void {
  const o = ownerOf(c);
  const from =
    c.subjectKind === 'person'
      ? Math.max(plusYears(c.life.member.birth, 20), REFERENCE_DAY - 15 * 365)
      : o.since;
  if ('ownerName' in r) r.ownerName = o.name;
  if ('ownerAddress' in r) r.ownerAddress = o.address;
  if (Array.isArray(r.rightHolders)) r.rightHolders = [{ name: o.name, address: o.address }];
  const applied = between(c.rng, Math.min(from, REFERENCE_DAY - 800), REFERENCE_DAY - 800);
  if ('applicationDate' in r) {
    r.applicationDate = iso(applied);
    r.registrationDate = iso(applied + 300 + c.rng.int(400));
    r.expiryDate = iso(plusYears(applied, 20));
  }
  for (const key of ['buildDate', 'issueDate', 'registrationDate'])
    if (key in r && !('applicationDate' in r))
      r[key] = iso(between(c.rng, Math.min(from, REFERENCE_DAY - 1), REFERENCE_DAY - 1));
  if (Array.isArray(r.mortgages))
    for (const m of r.mortgages as Rec[])
      m.registrationDate = iso(between(c.rng, Math.min(from, REFERENCE_DAY - 1), REFERENCE_DAY - 1));
}

export type BusinessStatus = 'active' | 'suspended' | 'closed';

/** A business's status, the same in every record about it. */
export function businessStatus(c: RecordContext): BusinessStatus {
  const r = (c.corporation.index * 2_654_435_761 + c.seed) >>> 0;
  if (c.subjectKind === 'person') return 'active';
  return r % 100 < 92 ? 'active' : r % 100 < 96 ? 'suspended' : 'closed';
}

function business(r: Rec, c: RecordContext): void {
  const corp = c.corporation;
  const opened =
    c.subjectKind === 'person' && c.life.work.kind === 'self-employed'
      ? c.life.work.since
      : daysFromIsoDate(corp.incorporationDate);
  const status = businessStatus(c);
  const representative = c.person.name;
  if ('representativeName' in r) r.representativeName = representative;
  if ('openingDate' in r) r.openingDate = iso(opened);
  if ('incorporationDate' in r) r.incorporationDate = iso(opened);
  // The court register knows dissolution, not suspension.
  if ('status' in r)
    r.status = 'corporateRegistrationNumber' in r ? (status === 'closed' ? 'dissolved' : 'active') : status;
  if ('statusChangedOn' in r) r.statusChangedOn = iso(between(c.rng, opened, REFERENCE_DAY - 1));
  if ('parValuePerShare' in r) {
    // Capital is what the issued shares are worth at par.
    const issued = 10_000 + c.rng.int(990_000);
    r.parValuePerShare = 5_000;
    r.issuedShares = issued;
    r.authorisedShares = issued * 4;
    r.capital = issued * 5_000;
  }
  if (Array.isArray(r.officers))
    r.officers = [
      {
        position: 'representative-director',
        name: representative,
        birthDate: c.person.birthDate,
        appointedOn: iso(opened),
      },
    ];
  for (const key of ['registrationDate', 'validFrom', 'suspensionFrom', 'closureDate'])
    if (key in r) r[key] = iso(between(c.rng, opened, REFERENCE_DAY - 1));
  if ('validUntil' in r) r.validUntil = iso(REFERENCE_DAY + 30 + c.rng.int(700));
  if ('suspensionUntil' in r) r.suspensionUntil = iso(REFERENCE_DAY + 30 + c.rng.int(300));
  if (Array.isArray(r.insuredEmployees)) {
    const staff: Rec[] = [];
    for (let i = corp.index * 10; i < corp.index * 10 + 10 && c.subjectKind === 'corporation'; i++) {
      const life = lifeOf(i, c.seed, c.incorporated);
      if (life.work.kind === 'employee' && life.work.job.employer === corp.index)
        staff.push({
          name: life.member.name,
          birthDate: life.member.birthDate,
          acquisitionDate: iso(life.work.job.from),
        });
    }
    r.insuredEmployees = staff;
    r.headCount = staff.length;
  }
}

const byPrefix: [string, Override][] = [
  ['land.', land],
  ['building.', land],
  ['court-register.land-title', land],
  ['court-register.building-title', land],
  ['court-register.condominium-unit-title', land],
  ['resident.registered-households-at-address', land],
  ['vehicle.', vehicle],
  ['ship.', owned],
  ['intellectual-property.', owned],
  ['enterprise.', business],
  ['court-register.corporate-register', business],
  ['tax.national-payment-certificate-business', business],
];

export function objectOverride(recordTypeId: string): Override | undefined {
  return byPrefix.find(([prefix]) => recordTypeId.startsWith(prefix))?.[1];
}
