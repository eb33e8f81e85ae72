// Root hooks: shared resources that tests start lazily are torn down once at the end.
import { stopAll } from './resources.js';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(180_000);
    await stopAll();
  },
};
