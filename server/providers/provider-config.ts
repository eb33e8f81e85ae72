/**
 * Builds the provider registry from configuration: one HTTP provider per holding agency (DESIGN §4
 * "Holders"), each with its own URL, request-signing key, audience, timeout, bulkhead and circuit
 * breaker, so one slow or broken agency cannot hold up or trip the others.
 */
import type { Catalog, Holder } from '../catalog/catalog.types.js';
import type { Config } from '../config.js';
import type { HolderLink } from './holder-settings.js';
import { createHttpProvider, defaultAudience } from './http-provider.js';
import { loadProviderSigningKey, type RequestSigningKey } from './provider-key.js';
import { createProviderRegistry, type ProviderRegistry } from './provider-registry.js';
import type { Provider, ProviderHooks } from './provider.types.js';

/** `iss` of our request tokens: how registries know the gateway. */
export const GATEWAY_ISSUER = 'urn:juc:gateway';

/** Where and how the gateway reaches one holder, after defaults are applied. */
export interface ResolvedHolderLink {
  holder: Holder;
  url: string;
  audience: string;
  ownKey: boolean;
  timeoutMs: number;
  maxConcurrent: number;
  maxQueued: number;
  maxResponseBytes: number;
  maxRetries: number;
  breaker: { threshold: number; cooldownMs: number };
}

/**
 * Each catalog holder's link: HOLDERS settings over the PROVIDER_* defaults. URL precedence: a
 * URL passed in for the holder (boot's in-process registries), then the holder's HOLDERS url, then
 * one registry for everyone (the registryUrl passed in, else REGISTRY_URL). Throws when HOLDERS
 * names a holder the catalog does not know (a typo would otherwise leave an agency unconfigured).
 */
export function resolveHolderLinks(
  config: Pick<Config, 'providers'>,
  catalog: Catalog,
  overrides: { registryUrl?: string; holderUrls?: Readonly<Record<string, string>> } = {},
): ResolvedHolderLink[] {
  const settings = config.providers;
  const known = new Set(catalog.holders().map((h) => h.id));
  const unknown = Object.keys(settings.holders).filter((code) => !known.has(code));
  if (unknown.length) {
    throw new Error(
      `HOLDERS names ${unknown.map((c) => `"${c}"`).join(', ')}, not a holder in the catalog (server/catalog/holders.json)`,
    );
  }
  const links: ResolvedHolderLink[] = [];
  for (const holder of catalog.holders()) {
    const link: Readonly<HolderLink> = settings.holders[holder.id] ?? {};
    const url =
      overrides.holderUrls?.[holder.id] ?? link.url ?? overrides.registryUrl ?? settings.registryUrl;
    if (!url) continue;
    const maxConcurrent = link.maxConcurrent ?? settings.maxConcurrent;
    links.push({
      holder,
      url,
      audience: link.audience ?? defaultAudience(holder.id),
      ownKey: link.ownKey ?? false,
      timeoutMs: link.timeoutMs ?? settings.timeoutMs,
      maxConcurrent,
      maxQueued: link.maxQueued ?? maxConcurrent * 2,
      maxResponseBytes: link.maxResponseBytes ?? settings.maxResponseBytes,
      maxRetries: link.maxRetries ?? 2,
      breaker: {
        threshold: link.breaker?.threshold ?? settings.breakerThreshold,
        cooldownMs: link.breaker?.cooldownMs ?? settings.breakerCooldownMs,
      },
    });
  }
  return links;
}

export async function providersFromConfig(options: {
  config: Pick<Config, 'providers' | 'keyStoreDir' | 'nodeEnv'>;
  catalog: Catalog;
  /** The shared provider-request key (holders without `ownKey`). */
  signingKey: RequestSigningKey;
  /** Overrides REGISTRY_URL: one registry serving every holder without a URL of its own (tests). */
  registryUrl?: string;
  /** Per-holder URLs that win over configuration (boot's in-process reference registries). */
  holderUrls?: Readonly<Record<string, string>>;
  /** Per-holder signing keys that win over configuration (boot's in-process reference registries). */
  holderKeys?: Readonly<Record<string, RequestSigningKey>>;
  hooks?: ProviderHooks;
}): Promise<ProviderRegistry> {
  const links = resolveHolderLinks(options.config, options.catalog, {
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
    ...(options.holderUrls ? { holderUrls: options.holderUrls } : {}),
  });
  const providers: Provider[] = [];
  for (const link of links) {
    const signingKey =
      options.holderKeys?.[link.holder.id] ??
      (link.ownKey
        ? await loadProviderSigningKey({
            keyStoreDir: options.config.keyStoreDir,
            holder: link.holder.id,
            allowGenerate: options.config.nodeEnv !== 'production',
          })
        : options.signingKey);
    providers.push(
      createHttpProvider({
        id: link.holder.id,
        baseUrl: link.url,
        audience: link.audience,
        issuer: GATEWAY_ISSUER,
        catalog: options.catalog,
        signingKey,
        timeoutMs: link.timeoutMs,
        maxRetries: link.maxRetries,
        maxConcurrent: link.maxConcurrent,
        maxQueued: link.maxQueued,
        maxResponseBytes: link.maxResponseBytes,
        breaker: link.breaker,
        ...(options.hooks ? { hooks: options.hooks } : {}),
      }),
    );
  }
  return createProviderRegistry({ catalog: options.catalog, providers });
}
