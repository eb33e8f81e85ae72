/** Start before end: generic date pairs filled independently are put in order afterwards. */
const PAIRS: readonly (readonly [string, string])[] = [
  ['periodFrom', 'periodUntil'],
  ['validFrom', 'validUntil'],
  ['stayPeriodFrom', 'stayPeriodUntil'],
  ['permittedFrom', 'permittedUntil'],
  ['from', 'until'],
  ['acquisitionDate', 'lossDate'],
  ['issueDate', 'expiryDate'],
  ['applicationDate', 'registrationDate'],
  ['registrationDate', 'expiryDate'],
  ['suspensionFrom', 'suspensionUntil'],
  ['permitDate', 'useApprovalDate'],
  ['firstAcquisitionDate', 'aptitudeTestDueDate'],
  ['marriageDate', 'endDate'],
];

export function orderDatePairs(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) orderDatePairs(item);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [a, b] of PAIRS) {
    const x = record[a];
    const y = record[b];
    if (typeof x === 'string' && typeof y === 'string' && x > y) {
      record[a] = y;
      record[b] = x;
    }
  }
  for (const key in record) if (typeof record[key] === 'object') orderDatePairs(record[key]);
}
