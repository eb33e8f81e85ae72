/**
 * A statement knex builds, built once per shape instead of once per call. A shape is what changes
 * the SQL text (which optional filters are present, say); the values only fill its parameters.
 * Building a history page's join with knex on every read was ~5 % of the read's gateway CPU.
 *
 * The first call of a shape builds the statement with a slot (a marker value) for each value and learns, from
 * the bindings knex produced, which value goes where; later calls put the values in those places.
 * So the parameter order is always knex's own, never restated here.
 */

/** Slots for values knex must see as numbers (e.g. `.limit()`, which ignores non-numbers). */
const NUMBER_SLOT_BASE = 987_654_000;

export interface Slots {
  /** A marker standing for the value `name`. */
  value(name: string): string;
  /** A marker number standing for the value `name` (for builder methods that parse their argument). */
  number(name: string): number;
}

interface Shape {
  sql: string;
  /** For each parameter, the name of the value that fills it. */
  order: string[];
}

const MAX_SHAPES = 256;

/** `context` is whatever `build` needs (a knex instance): any call's will do, the SQL is the same. */
export function statementShapes<Context>(
  build: (slots: Slots, context: Context, shapeKey: string) => { sql: string; bindings: readonly unknown[] },
) {
  const shapes = new Map<string, Shape>();
  return (
    context: Context,
    shapeKey: string,
    values: Record<string, unknown>,
  ): { sql: string; bindings: unknown[] } => {
    let shape = shapes.get(shapeKey);
    if (!shape) {
      const numbers: string[] = [];
      const slots: Slots = {
        value: (name) => `\u0000slot:${name}`,
        number: (name) => NUMBER_SLOT_BASE + numbers.push(name) - 1,
      };
      const built = build(slots, context, shapeKey);
      const order = built.bindings.map((b) => {
        if (typeof b === 'string' && b.startsWith('\u0000slot:')) return b.slice('\u0000slot:'.length);
        if (typeof b === 'number' && b >= NUMBER_SLOT_BASE && b < NUMBER_SLOT_BASE + numbers.length)
          return numbers[b - NUMBER_SLOT_BASE]!;
        throw new Error(`statement shape ${shapeKey}: a parameter without a slot (${String(b)})`);
      });
      shape = { sql: built.sql, order };
      if (shapes.size < MAX_SHAPES) shapes.set(shapeKey, shape);
    }
    return {
      sql: shape.sql,
      bindings: shape.order.map((name) => {
        if (!(name in values)) throw new Error(`statement shape ${shapeKey}: no value for ${name}`);
        return values[name];
      }),
    };
  };
}
