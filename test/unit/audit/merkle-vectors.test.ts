import { expect } from 'chai';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../../server/audit/merkle.js';
import { verifyConsistencyProof, verifyInclusionProof } from '../../../server/audit/verifier.js';
import { consistencyVectors, hex, inclusionVectors, STANDARD_LEAVES } from './fixtures.js';

const inclusion = inclusionVectors();
const consistency = consistencyVectors();
const leafHashes = STANDARD_LEAVES.map(leafHash);

describe('audit/merkle: transparency-dev vectors', () => {
  it('has the full vector set (98 + 98, 6 valid each)', () => {
    expect(inclusion).to.have.length(98);
    expect(consistency).to.have.length(98);
    expect(inclusion.filter((v) => !v.wantErr)).to.have.length(6);
    expect(consistency.filter((v) => !v.wantErr)).to.have.length(6);
  });

  describe('hasher (rfc6962_test.go)', () => {
    it('hashes the empty tree, leaves and nodes', () => {
      expect(hex(EMPTY_ROOT)).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(hex(leafHash(new Uint8Array()))).to.equal(
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      );
      expect(hex(leafHash(Buffer.from('L123456')))).to.equal(
        '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
      );
      expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).to.equal(
        'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
      );
    });

    it('computes the size-8 root of the standard leaves', () => {
      expect(hex(rootFromLeafHashes(leafHashes))).to.equal(
        '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
      );
    });
  });

  describe('inclusion', () => {
    for (const v of inclusion) {
      it(`${v.file}: ${v.wantErr ? 'rejects' : 'accepts'} (${v.desc})`, async () => {
        const sync = verifyInclusion(v.leafHash, v.leafIdx, v.treeSize, v.proof, v.root);
        const web = await verifyInclusionProof(v.leafHash, v.leafIdx, v.treeSize, v.proof, v.root);
        expect(sync.ok, 'node:crypto verifier').to.equal(!v.wantErr);
        expect(web.ok, 'WebCrypto verifier').to.equal(!v.wantErr);
      });
    }

    it('generates exactly the valid vectors’ proofs from the standard leaves', () => {
      const valid = inclusion.filter((v) => !v.wantErr && v.treeSize <= 8 && v.root.length === 32);
      expect(valid.length).to.be.greaterThan(3);
      for (const v of valid) {
        if (hex(v.leafHash) !== hex(leafHashes[v.leafIdx]!)) continue;
        expect(hex(rootFromLeafHashes(leafHashes.slice(0, v.treeSize)))).to.equal(hex(v.root));
        expect(inclusionProof(leafHashes, v.leafIdx, v.treeSize).map(hex), v.file).to.deep.equal(
          v.proof.map(hex),
        );
      }
    });
  });

  describe('consistency', () => {
    for (const v of consistency) {
      it(`${v.file}: ${v.wantErr ? 'rejects' : 'accepts'} (${v.desc})`, async () => {
        const sync = verifyConsistency(v.size1, v.size2, v.root1, v.root2, v.proof);
        const web = await verifyConsistencyProof(v.size1, v.size2, v.root1, v.root2, v.proof);
        expect(sync.ok, 'node:crypto verifier').to.equal(!v.wantErr);
        expect(web.ok, 'WebCrypto verifier').to.equal(!v.wantErr);
      });
    }

    it('generates exactly the valid vectors’ proofs from the standard leaves', () => {
      let checked = 0;
      for (const v of consistency.filter((c) => !c.wantErr && c.size1 > 0 && c.size2 <= 8)) {
        if (hex(rootFromLeafHashes(leafHashes.slice(0, v.size2))) !== hex(v.root2)) continue;
        expect(hex(rootFromLeafHashes(leafHashes.slice(0, v.size1)))).to.equal(hex(v.root1));
        expect(consistencyProof(leafHashes, v.size1, v.size2).map(hex), v.file).to.deep.equal(
          v.proof.map(hex),
        );
        checked++;
      }
      expect(checked).to.equal(5);
    });
  });
});
