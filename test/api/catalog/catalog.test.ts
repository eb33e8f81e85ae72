import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildTestApp } from '../../support/app.js';
import { createRecordAjv } from '../../../server/catalog/record-ajv.js';

interface Summary {
  id: string;
  category: string;
  subjectKind: string;
  names: { en: string; ko: string; ja: string };
}

describe('catalog API (public)', () => {
  let app: Express;
  before(async () => {
    ({ app } = await buildTestApp());
  });

  async function everyPage(query = ''): Promise<Summary[]> {
    const items: Summary[] = [];
    let after: string | null = null;
    do {
      const res = await request(app)
        .get(`/v1/catalog?limit=30${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`)
        .expect(200);
      expect(res.body.items.length).to.be.at.most(30);
      items.push(...(res.body.items as Summary[]));
      after = res.body.next as string | null;
    } while (after);
    return items;
  }

  it('lists at least 80 record types across at least 12 categories, paginated without gaps or repeats', async () => {
    const items = await everyPage();
    expect(items.length).to.be.at.least(80);
    expect(new Set(items.map((i) => i.id)).size).to.equal(items.length);
    expect(new Set(items.map((i) => i.category)).size).to.be.at.least(12);
    const ids = items.map((i) => i.id);
    expect(ids).to.deep.equal([...ids].sort());
    for (const item of items) {
      expect(item.names.en, item.id).to.be.a('string').with.length.greaterThan(0);
      expect(item.names.ko, item.id).to.match(/[가-힣]/);
      expect(item.names.ja, item.id).to.be.a('string').with.length.greaterThan(0);
    }
    const first = await request(app).get('/v1/catalog?limit=5').expect(200);
    expect(first.body.total).to.equal(items.length);
    expect(first.body.next).to.equal(first.body.items[4].id);
  });

  it('filters by category, subject kind and text in any language', async () => {
    const land = await everyPage('&category=land');
    expect(land.length).to.be.greaterThan(3);
    expect(land.every((i) => i.category === 'land')).to.equal(true);
    const objects = await everyPage('&subjectKind=object');
    expect(objects.length).to.be.greaterThan(5);
    expect(objects.every((i) => i.subjectKind === 'object')).to.equal(true);
    const korean = await request(app)
      .get(`/v1/catalog?q=${encodeURIComponent('병적')}`)
      .expect(200);
    expect(korean.body.items.map((i: Summary) => i.id)).to.include('military.service-record-certificate');
    const none = await request(app).get('/v1/catalog?q=no-such-thing-at-all').expect(200);
    expect(none.body).to.deep.equal({ items: [], next: null, total: 0 });
    await request(app).get('/v1/catalog?subjectKind=alien').expect(400);
  });

  it('returns one record type with a schema that compiles, for every record type', async () => {
    const ajv: Ajv2020 = createRecordAjv();
    for (const item of await everyPage()) {
      const res = await request(app).get(`/v1/catalog/${item.id}`).expect(200);
      expect(res.body.id).to.equal(item.id);
      expect(res.body.schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
      expect(() => ajv.compile(res.body.schema), item.id).not.to.throw();
    }
  });

  it("names an entry's holder by id and names only, as the contract's CatalogHolder does", async () => {
    // The holders table also says what each registry keeps; the entry answered 500 (response
    // validation) while it carried that too.
    const res = await request(app).get('/v1/catalog/resident.registration-abstract').expect(200);
    expect(Object.keys(res.body.holder).sort()).to.deep.equal(['id', 'names']);
    expect(res.body.holder.id).to.equal('mois');
    expect(res.body.holder.names.ko).to.equal('행정안전부');
  });

  it('answers 404 record_type_unknown for an unknown type, and 400 for a malformed id', async () => {
    const res = await request(app).get('/v1/catalog/land.no-such-record').expect(404);
    expect(res.type).to.equal('application/problem+json');
    expect(res.body.code).to.equal('record_type_unknown');
    await request(app).get('/v1/catalog/NOT_AN_ID').expect(400);
  });

  it('supports ETag / If-None-Match on the list, an entry, categories and schemes', async () => {
    for (const path of [
      '/v1/catalog?category=land',
      '/v1/catalog/land.ledger',
      '/v1/catalog/categories',
      '/v1/identifier-schemes',
    ]) {
      const first = await request(app).get(path).expect(200);
      const etag = first.headers.etag as string;
      expect(etag, path).to.match(/^"[A-Za-z0-9_-]+"$/);
      const again = await request(app).get(path).set('If-None-Match', etag).expect(304);
      expect(again.text).to.equal('');
      await request(app).get(path).set('If-None-Match', '"other"').expect(200);
    }
    const a = await request(app).get('/v1/catalog?category=land').expect(200);
    const b = await request(app).get('/v1/catalog?category=tax').expect(200);
    expect(a.headers.etag).to.not.equal(b.headers.etag);
  });

  it('lists categories with counts that add up to the catalog', async () => {
    const res = await request(app).get('/v1/catalog/categories').expect(200);
    expect(res.body.items.length).to.be.at.least(12);
    const total = (res.body.items as { recordTypeCount: number }[]).reduce(
      (n, c) => n + c.recordTypeCount,
      0,
    );
    expect(total).to.equal((await everyPage()).length);
    expect(res.body.items.find((c: { id: string }) => c.id === 'resident').names.ko).to.match(/[가-힣]/);
  });

  it('lists identifier schemes with examples that pass their own check', async () => {
    const res = await request(app).get('/v1/identifier-schemes').expect(200);
    const ids = res.body.items.map((s: { id: string }) => s.id);
    expect(ids).to.include.members([
      'rrn',
      'brn',
      'crn',
      'pnu',
      'vehicle-plate',
      'vin',
      'ship-number',
      'ip-application-number',
    ]);
    for (const scheme of res.body.items as { id: string; example: string; exampleMasked: string }[]) {
      const check = await request(app)
        .post(`/v1/identifier-schemes/${scheme.id}/check`)
        .send({ value: scheme.example })
        .expect(200);
      expect(check.body).to.deep.equal({
        scheme: scheme.id,
        canonical: scheme.example,
        masked: scheme.exampleMasked,
      });
    }
  });

  it('checks identifiers as typed: canonical and masked, or identifier_invalid naming the scheme without echoing the input', async () => {
    const ok = await request(app)
      .post('/v1/identifier-schemes/rrn/check')
      .send({ value: '850314-1234562' })
      .expect(200);
    expect(ok.body).to.deep.equal({ scheme: 'rrn', canonical: '8503141234562', masked: '850314-1******' });
    expect(ok.headers['cache-control']).to.equal('no-store');
    for (const value of ['850314-1234563', '８５０３１４１２３４５６２', '850314 1234562', '']) {
      const res = await request(app).post('/v1/identifier-schemes/rrn/check').send({ value }).expect(400);
      expect(res.body.code, JSON.stringify(value)).to.equal('identifier_invalid');
      expect(res.body.scheme).to.equal('rrn');
      expect(res.text).not.to.contain('1234562');
    }
    // A control character never reaches the identifier check: the input rule refuses it first.
    const nul = await request(app)
      .post('/v1/identifier-schemes/rrn/check')
      .send({ value: '850314\u00001234562' })
      .expect(400);
    expect(nul.body.code).to.equal('validation_failed');
    expect(nul.text).not.to.contain('1234562');
    const unknown = await request(app)
      .post('/v1/identifier-schemes/passport/check')
      .send({ value: 'x' })
      .expect(404);
    expect(unknown.body.code).to.equal('not_found');
    await request(app).post('/v1/identifier-schemes/rrn/check').send({ value: 'x', extra: 1 }).expect(400);
  });
});
