export const identifierSchemeIds = [
  'rrn',
  'frn',
  'brn',
  'crn',
  'pnu',
  'vehicle-plate',
  'vin',
  'ship-number',
  'imo',
  'ip-application-number',
] as const;

export type IdentifierSchemeId = (typeof identifierSchemeIds)[number];

export interface IdentifierScheme {
  readonly id: IdentifierSchemeId;
  readonly names: { readonly en: string; readonly ja: string };
  /** A valid identifier in canonical form, for documentation and tests. */
  readonly example: string;
  /**
   * Returns the one canonical form, or throws IdentifierInvalidError naming this scheme.
   * Only removes separators the official presentation allows; never repairs or guesses.
   * Error details never echo the input, because the input may be a national ID.
   */
  canonicalise(input: string): string;
  /** Display form of a canonical identifier; hides what a reader of a screen need not see. */
  mask(canonical: string): string;
}
