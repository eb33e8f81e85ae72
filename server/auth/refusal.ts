/** The 401 of a refused credential, with the challenge RFC 6750 / RFC 9449 §7.1 ask for. */
import { AppError } from '../errors.js';
import { DEFAULT_ALGORITHMS } from './algorithms.js';

const DPOP_CHALLENGE = `DPoP algs="${DEFAULT_ALGORITHMS.join(' ')}"`;

export function authenticationRefused(detail: string, dpop: boolean): AppError {
  const error = /DPoP proof/.test(detail) ? 'invalid_dpop_proof' : 'invalid_token';
  const scheme = dpop ? `${DPOP_CHALLENGE}, error="${error}"` : `Bearer error="${error}"`;
  return new AppError(401, 'unauthenticated', 'Authentication required', {
    detail,
    headers: { 'WWW-Authenticate': scheme },
  });
}
