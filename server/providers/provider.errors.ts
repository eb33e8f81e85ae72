import { AppError } from '../errors.js';

/**
 * The registry answered and holds no record for this subject. Not a provider failure: it is not
 * retried and does not count against the circuit breaker. Looks like any other not-found.
 */
export class SubjectNotFoundError extends AppError {
  readonly provider: string;
  constructor(provider: string, recordType: string) {
    super(404, 'not_found', 'Not found', {
      detail: `The registry holds no ${recordType} record for this subject.`,
      extensions: { recordType },
    });
    this.provider = provider;
  }
}
