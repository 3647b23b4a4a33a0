/**
 * Strict UTF-8 decoding. Node's `readFileSync(path, 'utf8')` turns every invalid byte into
 * U+FFFD without a word, so a role name could compile with replacement characters; here the
 * first invalid byte is found and reported with its position instead.
 */
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

export interface Decoded {
  /** The text, with a leading byte-order mark dropped; lossy (U+FFFD) when a byte is invalid. */
  readonly text: string;
  /** The first invalid byte, when there is one. */
  readonly badByte: number | undefined;
  /** Offset in `text` (UTF-16 units) of the replacement character that stands for that byte. */
  readonly badOffset: number;
  /** The bytes start with a UTF-16 byte-order mark. */
  readonly utf16: boolean;
}

export function decodeUtf8(bytes: Uint8Array): Decoded {
  try {
    return { text: strict.decode(bytes), badByte: undefined, badOffset: 0, utf16: false };
  } catch {
    const bad = firstInvalidByte(bytes);
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return {
      text: lossy.decode(bytes),
      badByte: bytes[bad] ?? 0,
      // the bytes before `bad` are valid, so they decode to the same characters in both texts
      badOffset: strict.decode(bytes.subarray(bom, bad)).length,
      utf16: (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff),
    };
  }
}

/** Index of the first byte that does not begin or continue a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0; // overlong
      if (b === 0xed) high = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90; // overlong
      if (b === 0xf4) high = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < low || c > high : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
