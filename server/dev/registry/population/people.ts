/** Who a generated person is: the types households and the demo citizens share. */
export type Sex = 'male' | 'female';
export type HouseholdRole = 'head' | 'spouse' | 'child' | 'parent';

export interface Identity {
  readonly name: string;
  readonly nameRomanised: string;
  readonly sex: Sex;
  readonly birthDate: string;
  /** Canonical resident registration number, legacy check digit valid. */
  readonly rrn: string;
}
