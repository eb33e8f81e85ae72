import { createHash } from 'node:crypto';
import { expect } from 'chai';
import '../../../server/console/console.messages.js';
import { readCounterForm } from '../../../server/console/console.pages.js';
import { encodeQr, qrSvg } from '../../../server/console/qr-code.js';
import '../../../server/web/landing.js';
import { messageKeys } from '../../../server/web/i18n.js';

const bits = (rows: boolean[][]) => rows.map((r) => r.map((d) => (d ? '1' : '0')).join('')).join('\n');

/** Reads the symbol back like a decoder would (format info, unmask, zig-zag) — single-block versions only. */
function readBack(text: string) {
  const { modules, size, version, mask } = encodeQr(text);
  const at = (x: number, y: number) => modules[y]![x]!;
  // Format information, first copy (around the top-left finder), bit 14 first.
  const coords: [number, number][] = [
    [8, 0], [8, 1], [8, 2], [8, 3], [8, 4], [8, 5], [8, 7], [8, 8], [7, 8],
    [5, 8], [4, 8], [3, 8], [2, 8], [1, 8], [0, 8],
  ]; // prettier-ignore
  let format = 0;
  coords.forEach(([x, y], i) => (format |= (at(x, y) ? 1 : 0) << i));
  format ^= 0x5412;
  const data = format >>> 10;
  // BCH(15,5) check: the whole word is a multiple of the generator 0x537.
  let rem = format;
  for (let i = 14; i >= 10; i--) if ((rem >>> i) & 1) rem ^= 0x537 << (i - 10);
  // Function modules of versions 1–6 (finders, separators, format areas, timing, one alignment pattern).
  const align = version === 1 ? [] : [6, size - 7];
  const isFunction = (x: number, y: number) =>
    (x < 9 && y < 9) ||
    (x >= size - 8 && y < 9) ||
    (x < 9 && y >= size - 8) ||
    x === 6 ||
    y === 6 ||
    (align.length > 0 && Math.abs(x - align[1]!) <= 2 && Math.abs(y - align[1]!) <= 2);
  const maskAt = [
    (x: number, y: number) => (x + y) % 2 === 0,
    (_x: number, y: number) => y % 2 === 0,
    (x: number) => x % 3 === 0,
    (x: number, y: number) => (x + y) % 3 === 0,
    (x: number, y: number) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
    (x: number, y: number) => ((x * y) % 2) + ((x * y) % 3) === 0,
    (x: number, y: number) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
    (x: number, y: number) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
  ][data & 7]!;
  const stream: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        if (!isFunction(x, y)) stream.push(Number(at(x, y) !== maskAt(x, y)));
      }
    }
  }
  const codewords: number[] = [];
  for (let i = 0; i + 8 <= stream.length; i += 8)
    codewords.push(stream.slice(i, i + 8).reduce((a, b) => a * 2 + b, 0));
  return { codewords, level: data >>> 3, formatMask: data & 7, mask, bchRemainder: rem, version };
}

/** Evaluates the codeword polynomial at α^i in GF(256): all zero for an error-free Reed–Solomon block. */
function syndromes(codewords: number[], count: number): number[] {
  const mul = (a: number, b: number) => {
    let r = 0;
    for (let i = 7; i >= 0; i--) {
      r = ((r << 1) ^ ((r >>> 7) * 0x11d)) & 0xff;
      if ((b >>> i) & 1) r ^= a;
    }
    return r;
  };
  const out: number[] = [];
  let alpha = 1;
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (const c of codewords) s = mul(s, alpha) ^ c;
    out.push(s);
    alpha = mul(alpha, 2);
  }
  return out;
}

describe('clerk console: messages, form reading and the QR encoder', () => {
  it('has every console and landing message in Korean, English and Japanese', () => {
    const en = messageKeys('en').filter((k) => k.startsWith('console.') || k.startsWith('landing.'));
    const ja = messageKeys('ja').filter((k) => k.startsWith('console.') || k.startsWith('landing.'));
    const ko = messageKeys('ko').filter((k) => k.startsWith('console.') || k.startsWith('landing.'));
    expect(en.length).to.be.greaterThan(150);
    expect(ja.sort()).to.deep.equal(en.sort());
    expect(ko.sort()).to.deep.equal(en.sort());
  });

  it('reads the counter form from a urlencoded body, dropping what it does not know', () => {
    const form = readCounterForm({
      purpose: ' welfare.housing-benefit ',
      records: ['resident.registration-abstract', 7],
      subjectId: '850314-1234562',
      'identifier:vehicle.register-part-a': ' 12가3456 ',
      mode: 'anything',
      consentMode: 'whatever',
      consentId: 'not-a-uuid',
    });
    expect(form).to.deep.equal({
      purpose: 'welfare.housing-benefit',
      records: ['resident.registration-abstract'],
      subjectScheme: '',
      subjectId: '850314-1234562',
      identifiers: { 'vehicle.register-part-a': '12가3456' },
      mode: 'full',
      consentMode: '',
      documentReference: '',
      separateAgreement: false,
      consentId: '',
    });
  });

  it('encodes known answers (checked with an independent decoder, zbarimg) bit for bit', () => {
    // These symbols were decoded back to their text by zbar when the encoder was written.
    const hello = encodeQr('HELLO');
    expect([hello.version, hello.mask]).to.deep.equal([1, 4]);
    expect(createHash('sha256').update(bits(hello.modules)).digest('hex')).to.equal(
      'c346c75add5698735afe3f7eb4f3e6c57ccefd9563f45f65c6d76aa518fb6f91',
    );
    const link = encodeQr('http://127.0.0.1:41234/consent/c/AB12CD34');
    expect([link.version, link.mask]).to.deep.equal([3, 2]);
    expect(createHash('sha256').update(bits(link.modules)).digest('hex')).to.equal(
      '058f968b50f5740ee3aae21eb1205747d52226610e82d192a3c8194af2196391',
    );
  });

  for (const text of [
    'HELLO',
    'https://juc.example/consent/c/ZX81QW07',
    'http://127.0.0.1:5/consent/c/ABCDEFGH?x=1',
  ]) {
    it(`reads back as a decoder would: ${text}`, () => {
      const r = readBack(text);
      expect(r.bchRemainder, 'format BCH').to.equal(0);
      expect(r.level, 'error correction level M').to.equal(0);
      expect(r.formatMask).to.equal(r.mask);
      expect(r.version, 'single-block versions only').to.be.at.most(3);
      const eccLength = { 1: 10, 2: 16, 3: 26 }[r.version as 1 | 2 | 3]!;
      const total = { 1: 26, 2: 44, 3: 70 }[r.version as 1 | 2 | 3]!;
      const block = r.codewords.slice(0, total);
      expect(syndromes(block, eccLength), 'Reed–Solomon syndromes').to.deep.equal(
        new Array(eccLength).fill(0),
      );
      // Byte mode, 8-bit length, then the text.
      const stream = block.flatMap((c) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (c >>> i) & 1));
      const num = (from: number, n: number) => stream.slice(from, from + n).reduce((a, b) => a * 2 + b, 0);
      expect(num(0, 4)).to.equal(0b0100);
      const length = num(4, 8);
      const bytes = Array.from({ length }, (_, i) => num(12 + i * 8, 8));
      expect(Buffer.from(bytes).toString('utf8')).to.equal(text);
    });
  }

  it('renders an accessible SVG with a quiet zone and refuses text that does not fit', () => {
    const svg = qrSvg('HELLO', { label: 'QR code for "HELLO" & more', className: 'qr-code' });
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 29 29" role="img"/);
    expect(svg).to.contain('aria-label="QR code for &quot;HELLO&quot; &amp; more"');
    expect(svg).to.contain('M4 4h1v1h-1z'); // the top-left finder starts after the 4-module quiet zone
    // Byte capacity at level M (ISO/IEC 18004 table 7): version 10 holds 213 bytes, 11 holds 251,
    // 40 holds 2,331; beyond that there is no symbol.
    expect(encodeQr('x'.repeat(213)).version).to.equal(10);
    expect(encodeQr('x'.repeat(214)).version).to.equal(11);
    expect(encodeQr('x'.repeat(2331)).version).to.equal(40);
    expect(() => encodeQr('x'.repeat(2332))).to.throw(/too big/);
  });
});
