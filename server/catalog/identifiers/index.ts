import { IdentifierInvalidError, ValidationError } from '../../errors.js';
import { brnScheme, crnScheme } from './business-number.js';
import { ipApplicationNumberScheme } from './ip-application-number.js';
import { pnuScheme } from './parcel-number.js';
import { frnScheme, rrnScheme } from './registration-number.js';
import { imoScheme, shipNumberScheme } from './ship.js';
import { vehiclePlateScheme, vinScheme } from './vehicle.js';
import { identifierSchemeIds, type IdentifierScheme, type IdentifierSchemeId } from './scheme.types.js';

export { identifierSchemeIds, type IdentifierScheme, type IdentifierSchemeId };

export const identifierSchemes: Readonly<Record<IdentifierSchemeId, IdentifierScheme>> = Object.freeze({
  rrn: rrnScheme,
  frn: frnScheme,
  brn: brnScheme,
  crn: crnScheme,
  pnu: pnuScheme,
  'vehicle-plate': vehiclePlateScheme,
  vin: vinScheme,
  'ship-number': shipNumberScheme,
  imo: imoScheme,
  'ip-application-number': ipApplicationNumberScheme,
});

export function isIdentifierSchemeId(value: unknown): value is IdentifierSchemeId {
  return typeof value === 'string' && (identifierSchemeIds as readonly string[]).includes(value);
}

export function identifierScheme(schemeId: string): IdentifierScheme {
  if (!isIdentifierSchemeId(schemeId))
    throw new ValidationError(`There is no identifier scheme "${schemeId}".`);
  return identifierSchemes[schemeId];
}

/**
 * Canonicalises a caller-supplied identifier; `pointer` (JSON pointer into the request) is
 * attached to the error so the problem body says which input was wrong.
 */
export function canonicaliseIdentifier(schemeId: string, input: string, pointer?: string): string {
  const scheme = identifierScheme(schemeId);
  try {
    return scheme.canonicalise(input);
  } catch (err) {
    if (err instanceof IdentifierInvalidError && pointer !== undefined) {
      throw new IdentifierInvalidError(err.scheme, err.detail ?? err.message, pointer);
    }
    throw err;
  }
}
