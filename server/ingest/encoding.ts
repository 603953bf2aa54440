import { Transform } from 'node:stream';
import iconv from 'iconv-lite';

export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1258' | 'windows-1252' | 'tcvn3';

export interface EncodingGuess {
  encoding: DetectedEncoding;
  /** the iconv-lite name used to decode */
  decoder: string;
  warnings: string[];
}

/** Encodings a unit may declare, by the names people use. */
export const DECLARABLE: Record<string, DetectedEncoding> = {
  'utf-8': 'utf-8', utf8: 'utf-8', 'utf-8-bom': 'utf-8-bom', 'utf-8-sig': 'utf-8-bom', 'utf-16': 'utf-16le', 'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be', 'windows-1258': 'windows-1258', cp1258: 'windows-1258', 'windows-1252': 'windows-1252', cp1252: 'windows-1252',
  'latin-1': 'windows-1252', tcvn3: 'tcvn3', tcvn: 'tcvn3', abc: 'tcvn3',
};

export const DECODER: Record<DetectedEncoding, string> = {
  'utf-8': 'utf-8', 'utf-8-bom': 'utf-8', 'utf-16le': 'utf-16le', 'utf-16be': 'utf-16be',
  'windows-1258': 'windows-1258', 'windows-1252': 'windows-1252', tcvn3: 'tcvn',
};

const TCVN3_DECODED = 'Văn bản có dấu hiệu dùng bảng mã TCVN3 (ABC, phông .VnTime) cũ; đã chuyển sang Unicode, hãy kiểm tra lại chữ hoa có dấu. Nên lưu tệp dưới dạng UTF-8.';
const TCVN3_MOJIBAKE = 'Văn bản có dấu hiệu dùng bảng mã TCVN3 (ABC, phông .VnTime) cũ: chữ có dấu sẽ hiển thị sai. Hãy chuyển tệp sang Unicode (UTF-8) trước khi tải lên.';
const VNI_WARNING = 'Văn bản có dấu hiệu dùng bảng mã VNI (phông VNI-Times) cũ: chữ có dấu sẽ hiển thị sai. Hãy chuyển tệp sang Unicode (UTF-8) trước khi tải lên.';

/**
 * Order measured to work for Vietnamese files (validation-anchors §4): BOM, then strict UTF-8,
 * then a Vietnamese-specific choice among Windows-1258, TCVN3 and Windows-1252 — generic
 * detectors guess cp1258 poorly and do not know TCVN3.
 */
export function detectEncoding(sample: Buffer): EncodingGuess {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return withTextWarnings('utf-8-bom', sample);
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', decoder: 'utf-16le', warnings: [] };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', decoder: 'utf-16be', warnings: [] };
  if (isStrictUtf8(sample)) return withTextWarnings('utf-8', sample);
  const scores = {
    'windows-1258': vietnameseScore(iconv.decode(sample, 'windows-1258').normalize('NFC')),
    tcvn3: vietnameseScore(iconv.decode(sample, 'tcvn')),
  };
  // TCVN3 puts ă â ê ô ơ ư đ at 0xA8–0xAE, bytes Western text hardly uses (¨ © ª « ¬ ® there)
  let shapeBytes = 0;
  for (const b of sample) if (b >= 0xa8 && b <= 0xae) shapeBytes++;
  if (shapeBytes >= 3 && scores.tcvn3 > Math.max(0, scores['windows-1258']) * 1.5) {
    return { encoding: 'tcvn3', decoder: 'tcvn', warnings: [TCVN3_DECODED] };
  }
  // only Vietnamese uses ă đ ơ ư and Windows-1258's separate tone marks; French or German text has neither
  const cp1258Text = iconv.decode(sample, 'windows-1258');
  const vietnameseOnly = cp1258Text.match(/[ăđơưĂĐƠƯ\u0300\u0301\u0303\u0309\u0323]/g)?.length ?? 0;
  if (scores['windows-1258'] > 0 && vietnameseOnly > 0) {
    return { encoding: 'windows-1258', decoder: 'windows-1258', warnings: ['Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258. Nên lưu tệp dưới dạng "CSV UTF-8".'] };
  }
  return withTextWarnings('windows-1252', sample, ['Tệp không phải UTF-8 và không có chữ tiếng Việt có dấu; đã đọc theo bảng mã Windows-1252.']);
}

function withTextWarnings(encoding: DetectedEncoding, sample: Buffer, warnings: string[] = []): EncodingGuess {
  const text = iconv.decode(sample, DECODER[encoding]);
  if (looksLikeTcvn3Mojibake(text)) warnings.push(TCVN3_MOJIBAKE);
  else if (looksLikeVni(text)) warnings.push(VNI_WARNING);
  return { encoding, decoder: DECODER[encoding], warnings };
}

/** Vietnamese letters found in well-formed words: how Vietnamese a decoded text looks. */
export function vietnameseScore(text: string): number {
  const words = text.match(/\p{L}[\p{L}\p{M}]*/gu) ?? [];
  let score = 0;
  for (const w of words) {
    const tones = w.normalize('NFD').match(/[\u0300\u0301\u0303\u0309\u0323]/g)?.length ?? 0;
    // a Vietnamese syllable carries at most one tone mark; a wrong code page scatters several
    if (tones > 1 || /[^\p{Script=Latin}\p{M}]/u.test(w) || /[ßÞþðÐµ¶¸·ª]/.test(w)) score -= 2;
    else if (tones === 1 || /[ăâđêôơư]/i.test(w)) score++;
  }
  return score;
}

/** TCVN3 bytes shown through a Western code page: "céng hßa x· héi" — symbols inside words. */
export function looksLikeTcvn3Mojibake(text: string): boolean {
  const hits = text.match(/\p{L}[·ßÖÜñ¬®¸µ¶©ª«¹»¼½¾¿]\p{L}|[®]\p{L}/gu)?.length ?? 0;
  return hits >= 3;
}

/** VNI text shown as Unicode: "Vieät Nam", "Haø Noäi" — a vowel followed by VNI tone bytes. */
export function looksLikeVni(text: string): boolean {
  const hits = text.match(/[aeiouyAEIOUY][äåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ](?=[\p{L}\s,.;]|$)/gu)?.length ?? 0;
  const vietnamese = text.match(/[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/giu)?.length ?? 0;
  return hits >= 5 && vietnamese === 0;
}

/** True when the bytes are valid UTF-8, allowing a multi-byte character cut at the end of the sample. */
export function isStrictUtf8(sample: Buffer): boolean {
  let end = sample.length;
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

/** A decoder of a byte stream's chunks, as decodeStream's, to call from another stream's transform. */
export interface ChunkDecoder { write(chunk: Buffer): string; end(): string }

export function chunkDecoder(decoder: string): ChunkDecoder {
  if (decoder !== 'utf-8') {
    const d = iconv.getDecoder(decoder, { stripBOM: true });
    return { write: (b) => d.write(b), end: () => d.end() ?? '' };
  }
  const utf8 = new TextDecoder('utf-8'); // its default strips a BOM at the start
  return { write: (b) => utf8.decode(b, { stream: true }), end: () => utf8.decode() };
}

/**
 * Decoded text of a byte stream, as strings, without a leading BOM. UTF-8 goes through
 * TextDecoder (simdutf in Node 24: twice as fast as iconv-lite's StringDecoder, with the same
 * U+FFFD for invalid or cut sequences, checked on random bytes and chunkings); the other
 * encodings through iconv-lite.
 */
export function decodeStream(decoder: string): Transform {
  if (decoder !== 'utf-8') return iconv.decodeStream(decoder, { stripBOM: true }) as unknown as Transform;
  const utf8 = new TextDecoder('utf-8'); // its default strips a BOM at the start
  return new Transform({
    encoding: 'utf8',
    transform(chunk: Buffer, _enc, done) {
      const text = utf8.decode(chunk, { stream: true });
      done(null, text.length ? text : undefined);
    },
    flush(done) {
      const text = utf8.decode();
      done(null, text.length ? text : undefined);
    },
  });
}
