/**
 * Parcels and the addresses on them. A parcel number (PNU) is derived from a slot number, and
 * everything about a parcel — its address, land category, area, price, building — is a function
 * of the PNU alone, so a parcel reads the same in every record that names it, whoever asks.
 * Lot ranges partition the land: main lots 1–3999 are homes, 4000–4999 business sites,
 * 5000–9999 farmland.
 */
import { DISTRICTS, type District } from '../generate-pools.js';
import { Random, hashString, padNumber } from '../generate-random.js';

export interface SyntheticAddress {
  readonly province: string;
  readonly district: string;
  readonly dong: string;
  readonly road: string;
  readonly buildingNumber: number;
  readonly full: string;
  /** Parcel number of the building site (valid PNU). */
  readonly parcelNumber: string;
  readonly plateRegion: string;
}

export type ParcelUse = 'home' | 'business' | 'farm';

const LOTS: Record<ParcelUse, { first: number; count: number }> = {
  home: { first: 1, count: 3999 },
  business: { first: 4000, count: 1000 },
  farm: { first: 5000, count: 5000 },
};

const BY_CODE = new Map(DISTRICTS.map((d) => [d.code, d]));

/** Distinct slots give distinct parcel numbers (up to 9.6 × 10⁸ business, 3.8 × 10⁹ home slots). */
export function parcelNumberFor(use: ParcelUse, slot: number): string {
  const district = DISTRICTS[slot % DISTRICTS.length] as District;
  let k = Math.floor(slot / DISTRICTS.length);
  const dong = k % district.dongs.length;
  k = Math.floor(k / district.dongs.length);
  const { first, count } = LOTS[use];
  const main = first + (k % count);
  const sub = Math.floor(k / count) % 10_000;
  const dongCode = (district.dongs[dong] as readonly [string, string])[1];
  return `${district.code}${dongCode}1${padNumber(main, 4)}${padNumber(sub, 4)}`;
}

export function parcelUse(pnu: string): ParcelUse {
  const main = Number(pnu.slice(11, 15));
  return main >= LOTS.farm.first ? 'farm' : main >= LOTS.business.first ? 'business' : 'home';
}

const parcelRandom = (pnu: string, salt: number) => new Random(hashString(pnu), salt, 0x70617263);

/** The one address of a parcel. */
export function addressOfParcel(pnu: string): SyntheticAddress {
  const district = BY_CODE.get(pnu.slice(0, 5));
  if (!district) throw new Error(`parcel ${pnu} is outside the synthetic map`);
  const dong = district.dongs.find(([, code]) => code === pnu.slice(5, 10))?.[0] ?? district.dongs[0]![0];
  const rng = parcelRandom(pnu, 1);
  const road = rng.pick(district.roads);
  const buildingNumber = 1 + rng.int(400);
  const main = Number(pnu.slice(11, 15));
  const sub = Number(pnu.slice(15));
  const full =
    parcelUse(pnu) === 'farm'
      ? `${district.province} ${district.name} ${dong} ${main}${sub ? `-${sub}` : ''}`
      : `${district.province} ${district.name} ${road} ${buildingNumber} (${dong})`;
  return {
    province: district.province,
    district: district.name,
    dong,
    road,
    buildingNumber,
    full,
    parcelNumber: pnu,
    plateRegion: district.plateRegion,
  };
}

export type LandCategory = 'building-site' | 'factory-site' | 'paddy' | 'field' | 'orchard';
export type BuildingUse =
  'detached-house' | 'multi-household-house' | 'apartment' | 'row-house' | 'office' | 'factory';

export interface ParcelFacts {
  readonly category: LandCategory;
  /** Square metres. */
  readonly area: number;
  readonly pricePerSquareMetre: number;
  readonly useZone: string;
  /** The building on it (none on farmland). */
  readonly building?: {
    readonly use: BuildingUse;
    readonly floors: number;
    readonly grossFloorArea: number;
    readonly buildingArea: number;
    /** Day of the use approval (days since 1970). */
    readonly approved: number;
  };
}

const FARM_CATEGORIES: readonly LandCategory[] = ['paddy', 'paddy', 'field', 'field', 'orchard'];
const HOME_USES: readonly BuildingUse[] = [
  'apartment',
  'apartment',
  'detached-house',
  'multi-household-house',
  'row-house',
];

/** Land category, area, price and building of a parcel: the same for every record that names it. */
export function parcelFacts(pnu: string): ParcelFacts {
  const rng = parcelRandom(pnu, 2);
  const use = parcelUse(pnu);
  const seoul = pnu.startsWith('11');
  if (use === 'farm') {
    return {
      category: rng.pick(FARM_CATEGORIES),
      area: 300 + rng.int(9_700),
      pricePerSquareMetre: 20_000 + rng.int(180_000),
      useZone: rng.pick(['production-management', 'agricultural-forestry', 'planned-management']),
    };
  }
  const area = use === 'home' ? 120 + rng.int(1_500) : 500 + rng.int(9_500);
  const buildingUse: BuildingUse =
    use === 'home' ? rng.pick(HOME_USES) : rng.chance(0.5) ? 'office' : 'factory';
  const floors =
    buildingUse === 'apartment'
      ? 5 + rng.int(30)
      : buildingUse === 'office'
        ? 2 + rng.int(20)
        : 1 + rng.int(4);
  const coverage = 0.3 + rng.int(30) / 100;
  const buildingArea = Math.round(area * coverage * 100) / 100;
  return {
    category: use === 'home' || buildingUse === 'office' ? 'building-site' : 'factory-site',
    area,
    pricePerSquareMetre: (seoul ? 3_000_000 : 600_000) + rng.int(seoul ? 12_000_000 : 3_000_000),
    useZone:
      use === 'home'
        ? rng.pick(['general-residential-1', 'general-residential-2', 'general-residential-3'])
        : buildingUse === 'office'
          ? 'general-commercial'
          : 'general-industrial',
    building: {
      use: buildingUse,
      floors,
      buildingArea,
      grossFloorArea: Math.round(buildingArea * floors * 100) / 100,
      // 1975-01-01 … 2020-12-31
      approved: 1826 + rng.int(16_801),
    },
  };
}
