/** One JSON Pointer segment, escaped (RFC 6901): a nested path as a key inside a policy file. */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
