/**
 * Maps record types to the provider adapters that fetch them: one provider per holding agency, the
 * provider id being the holder code the catalog names per record type. The one entry point the
 * query use case calls.
 */
import type { Catalog } from '../catalog/catalog.types.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';
import { IdentifierInvalidError, ProviderError, ValidationError } from '../errors.js';
import type { FetchRecordRequest, FetchRecordResult, Provider } from './provider.types.js';

export interface ProviderRegistry {
  /** Throws RecordTypeUnknownError, IdentifierInvalidError, ProviderError or SubjectNotFoundError. */
  fetchRecord(request: FetchRecordRequest): Promise<FetchRecordResult>;
  /** The provider of a record type (its holder's), or undefined when none is configured. */
  providerFor(recordType: string): Provider | undefined;
  /** Holder codes with a configured provider. */
  providerIds(): string[];
  close(): Promise<void>;
}

export function createProviderRegistry(options: {
  catalog: Catalog;
  providers: readonly Provider[];
}): ProviderRegistry {
  const { catalog } = options;
  const byId = new Map(options.providers.map((p) => [p.id, p]));
  return {
    providerFor(recordType) {
      return byId.get(catalog.get(recordType).holder.id);
    },
    providerIds() {
      return [...byId.keys()];
    },
    async fetchRecord(request) {
      const recordType = catalog.get(request.recordType);
      // Callers pass canonical identifiers; anything else is a bug upstream, refused before leaving.
      if (canonicaliseIdentifier(recordType.identifierScheme, request.identifier) !== request.identifier) {
        throw new IdentifierInvalidError(
          recordType.identifierScheme,
          'The identifier is not in canonical form.',
        );
      }
      if (request.fields) {
        const known = new Set(Object.keys(recordType.schema.properties));
        const unknown = request.fields.filter((f) => !known.has(f));
        if (unknown.length)
          throw new ValidationError(
            `${recordType.id} has no field ${unknown.map((f) => `"${f}"`).join(', ')}.`,
          );
        if (new Set(request.fields).size !== request.fields.length)
          throw new ValidationError('A field is requested twice.');
      }
      const { holder } = recordType;
      const provider = byId.get(holder.id);
      if (!provider) {
        throw new ProviderError(
          holder.id,
          'unavailable',
          `No registry of ${holder.names.en} (${holder.id}) is configured.`,
        );
      }
      return provider.fetchRecord(request);
    },
    async close() {
      await Promise.all([...byId.values()].map((p) => p.close?.()));
    },
  };
}
