// Tile names and widths against the examples of c2sp.org/tlog-tiles, written out by hand.
import { expect } from 'chai';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  parseTilePath,
  tilePath,
  tilesAt,
  tileLevels,
} from '../../server/audit/tiles.js';

describe('tiles: paths, widths and entry bundles (c2sp.org/tlog-tiles)', () => {
  it('writes and reads <N> in x-prefixed groups of three digits', () => {
    expect(encodeTileIndex(1234067)).to.equal('x001/x234/067');
    expect(encodeTileIndex(0)).to.equal('000');
    expect(encodeTileIndex(1000)).to.equal('x001/000');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).to.equal('tile/0/x001/x234/067');
    expect(tilePath({ level: 'entries', index: 3, width: 45 })).to.equal('tile/entries/003.p/45');
    expect(parseTilePath(['0', 'x001', 'x234', '067'])).to.deep.equal({
      level: 0,
      index: 1234067,
      width: 256,
    });
    expect(parseTilePath(['entries', '003.p', '45'])).to.deep.equal({
      level: 'entries',
      index: 3,
      width: 45,
    });
    expect(parseTilePath(['2', 'x001', '000.p', '255'])).to.deep.equal({ level: 2, index: 1000, width: 255 });
    for (const bad of [
      ['0', '1'],
      ['0', 'x000', '001'],
      ['0', '001', '001'],
      ['0', '000.p', '256'],
      ['0'],
      ['64', '000'],
    ]) {
      expect(parseTilePath(bad), bad.join('/')).to.equal(undefined);
    }
  });

  it('has the tiles of the spec’s tree of 70,000 and of 256', () => {
    // 273 full level-0 tiles and one of 112; one full level-1 tile and one of 17; level 2 of width 1.
    const zero = tilesAt(70_000, 0);
    expect(zero.length).to.equal(274);
    expect(zero.filter((t) => t.width === 256).length).to.equal(273);
    expect(zero.at(-1)).to.deep.equal({ level: 0, index: 273, width: 112 });
    expect(tilesAt(70_000, 1)).to.deep.equal([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(tilesAt(70_000, 2)).to.deep.equal([{ level: 2, index: 0, width: 1 }]);
    expect(tileLevels(70_000)).to.deep.equal([0, 1, 2]);
    expect(tileLevels(256)).to.deep.equal([0, 1]);
    expect(tilesAt(256, 1)).to.deep.equal([{ level: 1, index: 0, width: 1 }]);
    expect(tileLevels(255)).to.deep.equal([0]);
  });

  it('frames entries with a big-endian uint16 length and refuses a truncated bundle', () => {
    const bundle = encodeEntryBundle([Uint8Array.of(0xaa), new Uint8Array(0x0102).fill(1)]);
    expect(Buffer.from(bundle.subarray(0, 5)).toString('hex')).to.equal('0001aa0102');
    expect(bundle.length).to.equal(2 + 1 + 2 + 0x0102);
    expect(decodeEntryBundle(bundle, 2).map((e) => e.length)).to.deep.equal([1, 0x0102]);
    expect(() => decodeEntryBundle(bundle.subarray(0, 10), 2)).to.throw(/ends inside an entry/);
    expect(() => decodeEntryBundle(bundle, 3)).to.throw(/expected 3/);
  });
});
