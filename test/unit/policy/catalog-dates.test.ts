// The catalog's x-date annotations (which date places a value in time for data-range bounds) are
// checked where they are declared: only on date fields, `on` alone at the top level, `on` or a
// `from`/`until` period inside list entries, nowhere else.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { checkCategoryFile } from '../../../server/catalog/catalog-checks.js';
import type { CategoryFile } from '../../../server/catalog/catalog.types.js';

const RESIDENT = new URL('../../../server/catalog/record-types/resident.json', import.meta.url);

/** resident.json with the first record type (the household abstract) changed by `edit`. */
interface Dated {
  'x-date'?: string;
}
interface Entry {
  items: { properties: { name: Dated; movedInDate: Dated } };
}
interface Props {
  members: Entry;
  addressHistory: Entry;
  householdFormedDate: Dated;
}

function withAbstract(edit: (props: Props) => void): CategoryFile {
  const file = JSON.parse(readFileSync(RESIDENT, 'utf8')) as {
    recordTypes: { schema: { properties: unknown } }[];
  };
  edit(file.recordTypes[0]!.schema.properties as Props);
  return file as unknown as CategoryFile;
}

const AT = '/recordTypes/0/schema/properties';

describe('catalog x-date annotations', () => {
  it('accept the shipped annotations', () => {
    expect(checkCategoryFile(withAbstract(() => undefined))).to.deep.equal([]);
  });

  it('refuse a date role on a field that is not a date', () => {
    const file = withAbstract((p) => {
      p.members.items.properties.name['x-date'] = 'on';
    });
    expect(checkCategoryFile(file)).to.deep.include({
      pointer: `${AT}/members/items/properties/name/x-date`,
      message: 'dates only a string field of format date or date-time',
    });
  });

  it('refuse a period role at the top level', () => {
    const file = withAbstract((p) => {
      p.householdFormedDate['x-date'] = 'from';
    });
    expect(checkCategoryFile(file)).to.deep.equal([
      {
        pointer: `${AT}/householdFormedDate/x-date`,
        message: 'a top-level field can only be dated "on" (it dates itself)',
      },
    ]);
  });

  it('refuse an entry dated by an event and a period end together', () => {
    const twice = withAbstract((p) => {
      p.addressHistory.items.properties.movedInDate['x-date'] = 'until';
    });
    expect(checkCategoryFile(twice)).to.deep.equal([
      {
        pointer: `${AT}/addressHistory/items`,
        message: 'an entry is dated by one "on", or by one "from" with at most one "until"',
      },
    ]);
  });
});
