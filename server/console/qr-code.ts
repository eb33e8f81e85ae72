/**
 * The counter's QR code. The maintained `qrcode` package encodes it (ISO/IEC 18004: byte mode, error
 * correction level M, the smallest version that fits, the mask with the lowest penalty); this module
 * only draws the symbol as an inline SVG that a screen reader can name, which the package's own SVG
 * output (no role, no label) does not do.
 */
import QRCode from 'qrcode';

export interface QrMatrix {
  version: number;
  size: number;
  mask: number;
  /** modules[y][x]: true is dark. */
  modules: boolean[][];
}

/** `forceMask` (0–7) skips the penalty search: for tests. */
export function encodeQr(text: string, forceMask?: number): QrMatrix {
  // Byte mode as one segment: a consent link is read back byte for byte, whatever its case.
  const code = QRCode.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
    ...(forceMask === undefined ? {} : { maskPattern: forceMask as QRCode.QRCodeMaskPattern }),
  });
  const { size } = code.modules;
  const modules = Array.from({ length: size }, (_, y) =>
    Array.from({ length: size }, (_, x) => code.modules.get(y, x) === 1),
  );
  return { version: code.version, size, mask: code.maskPattern ?? 0, modules };
}

const escapeAttribute = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An SVG of the code (dark modules as one path, 4-module quiet zone), scalable with CSS. */
export function qrSvg(text: string, options: { label: string; className?: string }): string {
  const { size, modules } = encodeQr(text);
  const quiet = 4;
  const dim = size + quiet * 2;
  let path = '';
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }),
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${dim} ${dim}" role="img" aria-label="${escapeAttribute(options.label)}"` +
    `${options.className ? ` class="${escapeAttribute(options.className)}"` : ''} shape-rendering="crispEdges">` +
    `<rect width="${dim}" height="${dim}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
