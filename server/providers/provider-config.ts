/** Builds the provider registry from configuration: which registries exist and how we call them. */
import type { Catalog } from '../catalog/catalog.types.js';
import type { Config } from '../config.js';
import { createHttpProvider } from './http-provider.js';
import type { RequestSigningKey } from './provider-key.js';
import { createProviderRegistry, type ProviderRegistry } from './provider-registry.js';
import type { Provider, ProviderHooks } from './provider.types.js';

/** `iss` of our request tokens: how registries know the gateway. */
export const GATEWAY_ISSUER = 'urn:juc:gateway';

/** The provider id the catalog's record types name for the reference registry. */
export const REFERENCE_PROVIDER_ID = 'reference';

export function providersFromConfig(options: {
  config: Pick<Config, 'providers'>;
  catalog: Catalog;
  signingKey: RequestSigningKey;
  /** Overrides REGISTRY_URL (boot passes the in-process reference registry's URL). */
  registryUrl?: string;
  hooks?: ProviderHooks;
}): ProviderRegistry {
  const settings = options.config.providers;
  const providers: Provider[] = [];
  const registryUrl = options.registryUrl ?? settings.registryUrl;
  if (registryUrl) {
    providers.push(
      createHttpProvider({
        id: REFERENCE_PROVIDER_ID,
        baseUrl: registryUrl,
        issuer: GATEWAY_ISSUER,
        catalog: options.catalog,
        signingKey: options.signingKey,
        timeoutMs: settings.timeoutMs,
        maxConcurrent: settings.maxConcurrent,
        maxResponseBytes: settings.maxResponseBytes,
        breaker: { threshold: settings.breakerThreshold, cooldownMs: settings.breakerCooldownMs },
        ...(options.hooks ? { hooks: options.hooks } : {}),
      }),
    );
  }
  return createProviderRegistry({ catalog: options.catalog, providers });
}
