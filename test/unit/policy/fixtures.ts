// Record schemas shaped like the catalog's (description + x-sensitivity per field), for the
// record types the example policies in fixtures/policies/ cover. The catalog owns the real ones.
import type { PolicyRecordSchema } from '../../../server/policy/policy.types.js';

const base = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
};

export const residentSchema = {
  ...base,
  required: ['name', 'residentRegistrationNumber', 'birthDate', 'address'],
  properties: {
    name: { type: 'string', description: 'full name', 'x-sensitivity': 'personal' },
    residentRegistrationNumber: {
      type: 'string',
      pattern: '^[0-9]{6}-?[0-9]{7}$',
      description: 'resident registration number',
      'x-sensitivity': 'identifier',
    },
    birthDate: { type: 'string', format: 'date', description: 'date of birth', 'x-sensitivity': 'personal' },
    address: { type: 'string', description: 'current address', 'x-sensitivity': 'personal' },
    movedInDate: { type: 'string', format: 'date', description: 'moved in on', 'x-sensitivity': 'personal' },
    addressHistory: {
      type: 'array',
      description: 'previous addresses',
      'x-sensitivity': 'personal',
      items: {
        type: 'object',
        properties: { address: { type: 'string' }, from: { type: 'string', format: 'date' } },
      },
    },
    householdHeadName: {
      type: 'string',
      description: 'name of the household head',
      'x-sensitivity': 'personal',
    },
    members: {
      type: 'array',
      description: 'members, head included',
      'x-sensitivity': 'personal',
      items: { type: 'object', properties: { name: { type: 'string' }, relation: { type: 'string' } } },
    },
  },
} as const;

export const taxSchema = {
  ...base,
  required: [],
  properties: {
    taxpayerName: { type: 'string', description: 'taxpayer', 'x-sensitivity': 'personal' },
    residentRegistrationNumber: { type: 'string', description: 'RRN', 'x-sensitivity': 'identifier' },
    address: { type: 'string', description: 'address', 'x-sensitivity': 'personal' },
    arrearsAmount: {
      type: 'integer',
      minimum: 0,
      description: 'overdue tax, KRW',
      'x-sensitivity': 'sensitive',
    },
    inArrears: { type: 'boolean', description: 'tax in arrears', 'x-sensitivity': 'sensitive' },
    certificateNumber: { type: 'string', description: 'certificate no.', 'x-sensitivity': 'public' },
    issueDate: { type: 'string', format: 'date', description: 'issued on', 'x-sensitivity': 'public' },
    validUntil: { type: 'string', format: 'date', description: 'valid until', 'x-sensitivity': 'public' },
  },
} as const;

export const businessSchema = {
  ...base,
  required: [],
  properties: {
    businessName: { type: 'string', description: 'trade name', 'x-sensitivity': 'public' },
    businessRegistrationNumber: { type: 'string', description: 'BRN', 'x-sensitivity': 'public' },
    representativeName: { type: 'string', description: 'representative', 'x-sensitivity': 'personal' },
    businessStatus: {
      type: 'string',
      enum: ['active', 'suspended', 'closed'],
      description: 'status',
      'x-sensitivity': 'public',
    },
    openedOn: { type: 'string', format: 'date', description: 'opened on', 'x-sensitivity': 'public' },
    closedOn: { type: 'string', format: 'date', description: 'closed on', 'x-sensitivity': 'public' },
  },
} as const;

export const schemas: Record<string, PolicyRecordSchema> = {
  'resident.registration-abstract': residentSchema,
  'tax.national-payment-certificate': taxSchema,
  'business.registration-status': businessSchema,
};

export const residentRecord = {
  name: '홍길동',
  residentRegistrationNumber: '900101-1234567',
  birthDate: '1990-01-01',
  address: '서울특별시 종로구 세종대로 209',
  movedInDate: '2020-03-02',
  addressHistory: [{ address: '부산광역시 해운대구 1', from: '2010-01-01' }],
  householdHeadName: '홍판서',
  members: [
    { name: '홍판서', relation: 'head' },
    { name: '홍길동', relation: 'child' },
    { name: '춘섬', relation: 'spouse' },
  ],
};

/** 2025-06-15 12:00 KST. */
export const NOW = new Date('2025-06-15T03:00:00Z');
export const KEY = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
