import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogFileError, DEFAULT_CATALOG_DIR, loadCatalog } from '../../../server/catalog/catalog.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Copies the real catalog to a temp dir, applies `mutate` to one file, loads, returns the error. */
function loadBroken(fileName: string, mutate: (data: Json) => Json | string): CatalogFileError {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  try {
    for (const name of readdirSync(DEFAULT_CATALOG_DIR))
      copyFileSync(join(DEFAULT_CATALOG_DIR, name), join(dir, name));
    const data = JSON.parse(readFileSync(join(dir, fileName), 'utf8')) as Json;
    const changed = mutate(data);
    writeFileSync(join(dir, fileName), typeof changed === 'string' ? changed : JSON.stringify(changed));
    try {
      loadCatalog(dir);
    } catch (err) {
      expect(err).to.be.instanceOf(CatalogFileError);
      return err as CatalogFileError;
    }
    throw new Error('the broken catalog loaded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectNamed(err: CatalogFileError, file: string, pointer: string, text?: string): void {
  expect(err.file).to.equal(file);
  expect(err.pointer).to.equal(pointer);
  expect(err.message).to.contain(file).and.contain(pointer);
  if (text) expect(err.message).to.contain(text);
}

describe('record catalog files', () => {
  it('loads from a copy of the shipped directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    try {
      for (const name of readdirSync(DEFAULT_CATALOG_DIR))
        copyFileSync(join(DEFAULT_CATALOG_DIR, name), join(dir, name));
      expect(loadCatalog(dir).size).to.equal(loadCatalog().size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names file and path when a field has no description', () => {
    const err = loadBroken('land.json', (data) => {
      delete data.recordTypes[0].schema.properties.area.description;
      return data;
    });
    expectNamed(err, 'land.json', '/recordTypes/0/schema/properties/area', 'description');
  });

  it('names file and path when a nested field has an unknown sensitivity', () => {
    const err = loadBroken('resident.json', (data) => {
      data.recordTypes[0].schema.properties.members.items.properties.name['x-sensitivity'] = 'secret';
      return data;
    });
    expectNamed(
      err,
      'resident.json',
      '/recordTypes/0/schema/properties/members/items/properties/name/x-sensitivity',
    );
  });

  it('refuses schemas that allow additional properties', () => {
    const err = loadBroken('tax.json', (data) => {
      data.recordTypes[1].schema.additionalProperties = true;
      return data;
    });
    expectNamed(err, 'tax.json', '/recordTypes/1/schema/additionalProperties');
  });

  it('refuses unknown members of an entry', () => {
    const err = loadBroken('ship.json', (data) => {
      data.recordTypes[2].fee = 1000;
      return data;
    });
    expectNamed(err, 'ship.json', '/recordTypes/2', '"fee"');
  });

  it('refuses an unknown identifier scheme', () => {
    const err = loadBroken('vehicle.json', (data) => {
      data.recordTypes[0].identifierScheme = 'licence-plate';
      return data;
    });
    expectNamed(err, 'vehicle.json', '/recordTypes/0/identifierScheme');
  });

  it('refuses a schema that does not compile', () => {
    const err = loadBroken('building.json', (data) => {
      data.recordTypes[0].schema.properties.siteLocation.pattern = '([unclosed';
      return data;
    });
    expectNamed(err, 'building.json', '/recordTypes/0/schema');
  });

  it('refuses a required field the schema does not define', () => {
    const err = loadBroken('welfare.json', (data) => {
      data.recordTypes[0].schema.required.push('ghost');
      return data;
    });
    expectNamed(err, 'welfare.json', '/recordTypes/0/schema/required', 'ghost');
  });

  it('refuses a disclosure variant or fact check naming an unknown field', () => {
    const variant = loadBroken('family.json', (data) => {
      data.recordTypes[0].disclosureVariants[1].fields.push('secrets');
      return data;
    });
    expectNamed(variant, 'family.json', '/recordTypes/0/disclosureVariants/1/fields/6', 'secrets');
    const check = loadBroken('enterprise.json', (data) => {
      data.recordTypes[0].factChecks[0].basis = ['state'];
      return data;
    });
    expectNamed(check, 'enterprise.json', '/recordTypes/0/factChecks/0/basis/0', 'state');
  });

  it('refuses fact checks without the fact-check access mode', () => {
    const err = loadBroken('enterprise.json', (data) => {
      data.recordTypes[0].accessModes = ['full'];
      return data;
    });
    expectNamed(err, 'enterprise.json', '/recordTypes/0/accessModes');
  });

  it('refuses a record type filed under another category', () => {
    const err = loadBroken('military.json', (data) => {
      data.recordTypes[1].category = 'welfare';
      return data;
    });
    expectNamed(err, 'military.json', '/recordTypes/1/category');
  });

  // Ids start with their category and a file holds exactly its own category, so a duplicate can
  // only arise inside one file.
  it('refuses a duplicate id within a file', () => {
    const err = loadBroken('welfare.json', (data) => {
      data.recordTypes.push({ ...data.recordTypes[0] });
      return data;
    });
    expectNamed(
      err,
      'welfare.json',
      '/recordTypes/7/id',
      'duplicate record type "welfare.disability-certificate"',
    );
  });

  it('refuses a file whose name is not its category', () => {
    const err = loadBroken('welfare.json', (data) => {
      data.category.id = 'care';
      return data;
    });
    expectNamed(err, 'welfare.json', '/category/id', 'file name');
  });

  it('names the file that is not JSON', () => {
    const err = loadBroken('agriculture.json', () => '{ "category": ');
    expectNamed(err, 'agriculture.json', '/', 'not readable JSON');
  });
});
