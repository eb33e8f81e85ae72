/** Paths outside the API contract: pages, static assets and the spec itself. */
// /audit is the auditor's console, but /audit/v1/ is the tiles API of the contract (C2SP tlog-tiles).
export const NON_API_PATHS =
  /^\/(docs|openapi|assets|console|portal|consent|auth|admin)(\/|$)|^\/audit(?!\/v1(\/|$))(\/|$)|^\/$/;
