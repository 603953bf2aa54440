import iconv from 'iconv-lite';

export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1258';

export interface EncodingGuess {
  encoding: DetectedEncoding;
  /** the iconv-lite name used to decode */
  decoder: string;
  warnings: string[];
}

/**
 * Order measured to work for Vietnamese files (validation-anchors §4): BOM, then strict UTF-8,
 * then Windows-1258, the code page Vietnamese Excel writes. Generic detectors guess cp1258 poorly.
 */
export function detectEncoding(sample: Buffer): EncodingGuess {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8-bom', decoder: 'utf-8', warnings: [] };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', decoder: 'utf-16le', warnings: [] };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', decoder: 'utf-16be', warnings: [] };
  if (isStrictUtf8(sample)) return { encoding: 'utf-8', decoder: 'utf-8', warnings: [] };
  return { encoding: 'windows-1258', decoder: 'windows-1258', warnings: ['Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258.'] };
}

/** True when the bytes are valid UTF-8, allowing a multi-byte character cut at the end of the sample. */
export function isStrictUtf8(sample: Buffer): boolean {
  let end = sample.length;
  // step back over a possibly truncated last character (at most 3 continuation bytes)
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = sample[end - i]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (need > i) end -= i;
    }
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

export function decodeStream(decoder: string) {
  return iconv.decodeStream(decoder, { stripBOM: true });
}
