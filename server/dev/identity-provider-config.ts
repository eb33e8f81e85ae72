/**
 * oidc-provider configuration for the dev identity provider. Kept apart from the server wiring so
 * the settings that matter for interoperability (algorithms, token formats, claims) read in one place.
 */
import type { Account, Adapter, ClientMetadata, Configuration, JWK, KoaContextWithOIDC } from 'oidc-provider';
import { demoClaims, findDemoIdentity } from './demo-identities.js';

export interface DevWebClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface DevApiClient {
  clientId: string;
  /** The client's public signing keys, used to check its private_key_jwt assertions. */
  jwks: { keys: JWK[] };
  /** Organisation the client belongs to; copied into its access tokens as `org`. */
  org: string;
  /** When true the AS only issues DPoP-bound access tokens to this client. */
  dpopRequired?: boolean;
  /** Space-separated scopes the client may ask for. */
  scope?: string;
}

export interface DevResourceServer {
  /** Space-separated scopes this API accepts. */
  scope: string;
  accessTokenTtlSec?: number;
}

export interface DevClients {
  web?: DevWebClient[];
  api?: DevApiClient[];
}

/** The `acr` the dev IdP asserts: a password with no second factor, and says so. */
export const DEV_ACR = 'urn:joint-use-center:acr:dev-password';
export const DEV_AMR: readonly string[] = ['pwd'];
export const DEFAULT_API_RESOURCE = 'urn:joint-use-center:api';
export const DEFAULT_API_SCOPE = 'records:query consents:request consents:read';

export const DEV_SCOPES = ['openid', 'profile', 'national_id', 'organisation'] as const;

interface ConfigInput {
  clients: DevClients;
  resources: Record<string, DevResourceServer>;
  privateJwks: JWK[];
  cookieKeys: string[];
  invalidTarget: () => Error;
  /** Organisation of a client not among `clients` (looked up through the adapter). */
  orgOf?: (clientId: string) => string | undefined;
  /** Storage factory; when it serves the Client model, clients are also looked up there. */
  adapter?: (model: string) => Adapter;
}

export function webClientMetadata(client: DevWebClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
    scope: DEV_SCOPES.join(' '),
  };
}

export function apiClientMetadata(client: DevApiClient, defaultScope: string): ClientMetadata {
  return {
    client_id: client.clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: client.jwks,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: client.scope ?? defaultScope,
    dpop_bound_access_tokens: client.dpopRequired === true,
    id_token_signed_response_alg: 'ES256',
  };
}

export function resourceScopes(resources: Record<string, DevResourceServer>): string {
  return [...new Set(Object.values(resources).flatMap((r) => r.scope.split(' ')))].join(' ');
}

export function buildConfiguration(input: ConfigInput): Configuration {
  const { clients, resources, privateJwks, cookieKeys, invalidTarget } = input;
  const orgByClient = new Map((clients.api ?? []).map((client) => [client.clientId, client.org]));
  const allScopes = resourceScopes(resources);

  return {
    clients: [
      ...(clients.web ?? []).map(webClientMetadata),
      ...(clients.api ?? []).map((client) => apiClientMetadata(client, allScopes)),
    ],
    ...(input.adapter ? { adapter: input.adapter } : {}),
    jwks: { keys: privateJwks },
    cookies: { keys: cookieKeys },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    // Claims requested by scope go into the ID token too, so a relying party sees national_id
    // without a userinfo round trip (the access token is only for userinfo anyway).
    conformIdTokenClaims: false,
    acrValues: [DEV_ACR],
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      // acr/amr/auth_time ride on the openid scope so every ID token says how the user logged in,
      // without the RP having to send a claims parameter.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'birthdate'],
      national_id: ['national_id'],
      organisation: ['org', 'role'],
    },
    scopes: [...DEV_SCOPES, ...allScopes.split(' ').filter(Boolean)],
    pkce: { required: () => true },
    // Short, explicit lifetimes: dev tokens should expire quickly enough to exercise refresh paths.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      ClientCredentials: 300,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> {
      const identity = findDemoIdentity(sub);
      if (!identity) return undefined;
      return { accountId: identity.sub, claims: () => demoClaims(identity) };
    },
    async extraTokenClaims(_ctx, token) {
      const org =
        token.clientId === undefined
          ? undefined
          : (orgByClient.get(token.clientId) ?? input.orgOf?.(token.clientId));
      return org === undefined ? undefined : { org };
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx, indicator) {
          const resource = resources[indicator];
          if (!resource) throw invalidTarget();
          return {
            audience: indicator,
            scope: resource.scope,
            accessTokenTTL: resource.accessTokenTtlSec ?? 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  };
}
