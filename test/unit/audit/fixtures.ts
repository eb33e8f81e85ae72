// Loads the transparency-dev/merkle golden vectors (test/fixtures/merkle, see its SOURCE.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../fixtures/merkle/', import.meta.url));

export interface InclusionVector {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: Uint8Array;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  desc: string;
  wantErr: boolean;
}

export interface ConsistencyVector {
  file: string;
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
  desc: string;
  wantErr: boolean;
}

// Go's encoding/json writes []byte as base64 and a nil slice as null.
const b64 = (s: string): Uint8Array => Buffer.from(s, 'base64');
const proofOf = (p: string[] | null): Uint8Array[] => (p ?? []).map(b64);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

function load(kind: string): { file: string; raw: Record<string, unknown> }[] {
  return jsonFiles(join(ROOT, kind)).map((path) => ({
    file: relative(ROOT, path),
    raw: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>,
  }));
}

export function inclusionVectors(): InclusionVector[] {
  return load('inclusion').map(({ file, raw }) => ({
    file,
    leafIdx: raw.leafIdx as number,
    treeSize: raw.treeSize as number,
    root: b64(raw.root as string),
    leafHash: b64(raw.leafHash as string),
    proof: proofOf(raw.proof as string[] | null),
    desc: raw.desc as string,
    wantErr: raw.wantErr as boolean,
  }));
}

export function consistencyVectors(): ConsistencyVector[] {
  return load('consistency').map(({ file, raw }) => ({
    file,
    size1: raw.size1 as number,
    size2: raw.size2 as number,
    root1: b64(raw.root1 as string),
    root2: b64(raw.root2 as string),
    proof: proofOf(raw.proof as string[] | null),
    desc: raw.desc as string,
    wantErr: raw.wantErr as boolean,
  }));
}

/** The eight leaves the vectors are built from (transparency-dev/merkle testonly/constants.go). */
export const STANDARD_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
