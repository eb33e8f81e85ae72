/**
 * Health screening values in human ranges: adult height and BMI from normal distributions by sex
 * and age, pressure rising with age, a diabetic tail of glucose; children on a growth curve.
 */
import type { Random } from '../generate-random.js';
import { REFERENCE_DAY } from './calendar.js';
import type { Member } from './households.js';

const YEAR = 365;

export interface Health {
  readonly day: number;
  readonly type: 'general' | 'infant';
  readonly heightCm: number;
  readonly weightKg: number;
  readonly systolic: number;
  readonly diastolic: number;
  readonly glucose: number;
  readonly cholesterol: number;
}

function gaussian(rng: Random): number {
  const u = (rng.next() + 1) / 4294967297;
  const v = rng.next() / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export function healthOf(member: Member, age: number, rng: Random): Health {
  const day = Math.min(Math.max(member.birth + 120, REFERENCE_DAY - rng.int(2 * YEAR)), REFERENCE_DAY);
  if (age >= 6 && age < 18) {
    // School years: from about 115 cm at 6 towards the adult height at 18.
    const years = (day - member.birth) / 365.25;
    const adult = member.sex === 'male' ? 172 : 159;
    const heightCm = Math.round((115 + ((adult - 115) * (years - 6)) / 12 + gaussian(rng) * 4) * 10) / 10;
    const weightKg = Math.round(clamp(17 * (heightCm / 115) ** 3 + gaussian(rng) * 3, 14, 110) * 10) / 10;
    return {
      day,
      type: 'general',
      heightCm,
      weightKg,
      systolic: 100 + rng.int(20),
      diastolic: 60 + rng.int(15),
      glucose: 80 + rng.int(20),
      cholesterol: 140 + rng.int(50),
    };
  }
  if (age < 6) {
    const years = (day - member.birth) / 365.25;
    const heightCm =
      Math.round(clamp(50 + 24 * Math.log2(1 + years) + gaussian(rng) * 2.5, 46, 125) * 10) / 10;
    // Weight from height through an infant BMI of 13–19, so a tail draw cannot give a 2 kg baby of 60 cm.
    const weightKg = Math.round(clamp(16 + gaussian(rng) * 1.2, 13, 19) * (heightCm / 100) ** 2 * 10) / 10;
    return {
      day,
      type: 'infant',
      heightCm,
      weightKg,
      systolic: 95 + rng.int(10),
      diastolic: 55 + rng.int(10),
      glucose: 75 + rng.int(20),
      cholesterol: 140 + rng.int(40),
    };
  }
  const male = member.sex === 'male';
  const old = age >= 60 ? 4 : 0;
  const heightCm =
    Math.round(
      clamp(
        (male ? 172 - old : 159 - old) + gaussian(rng) * (male ? 6 : 5.5),
        male ? 150 : 140,
        male ? 198 : 186,
      ) * 10,
    ) / 10;
  const bmi = clamp(23.4 + gaussian(rng) * 3.2, 16.5, 38);
  const weightKg = Math.round(bmi * (heightCm / 100) ** 2 * 10) / 10;
  const systolic = Math.round(clamp(112 + age * 0.35 + gaussian(rng) * 12, 88, 185));
  const diastolic = Math.round(clamp(systolic * 0.63 + gaussian(rng) * 5, 55, systolic - 25));
  const glucose = Math.round(
    clamp(
      rng.chance(0.08) ? 130 + Math.abs(gaussian(rng)) * 35 : 92 + age * 0.1 + gaussian(rng) * 8,
      68,
      260,
    ),
  );
  const cholesterol = Math.round(clamp(185 + gaussian(rng) * 33, 110, 320));
  return { day, type: 'general', heightCm, weightKg, systolic, diastolic, glucose, cholesterol };
}
