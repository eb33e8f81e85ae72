import { expect } from 'chai';
import { IdentifierInvalidError, ProviderError } from '../../server/errors.js';

describe('errors', () => {
  it('carries the scheme on identifier errors', () => {
    const err = new IdentifierInvalidError('rrn', 'bad check digit');
    expect(err.status).to.equal(400);
    expect(err.code).to.equal('identifier_invalid');
    expect(err.extensions).to.deep.equal({ scheme: 'rrn' });
  });
  it('maps provider timeouts to 504 and other failures to 502', () => {
    expect(new ProviderError('p', 'timeout', 'slow').status).to.equal(504);
    expect(new ProviderError('p', 'bad_response', 'junk').code).to.equal('provider_unavailable');
  });
});
