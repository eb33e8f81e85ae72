import type { RequestHandler } from 'express';

/**
 * A route most requests take (POST /v1/queries). createApp matches it before any other, behind the
 * same edge steps, authentication and contract validation as the routers, so it costs only its own
 * work and not a walk past every page, docs and health route.
 */
export interface HotRoute {
  method: 'post';
  path: string;
  handlers: RequestHandler[];
}
