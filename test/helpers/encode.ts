import iconv from 'iconv-lite';

/**
 * Encodes text as Windows-1258 the way Vietnamese Windows software writes it: base letters with
 * their shape marks precomposed, the five tone marks as separate combining characters.
 */
export function toWindows1258(text: string): Buffer {
  const tones = /[\u0300\u0301\u0303\u0309\u0323]/g;
  const decomposed = text.normalize('NFD').replace(/(\P{M})(\p{M}*)/gu, (_m, base: string, marks: string) => {
    const toneMarks = (marks.match(tones) ?? []).join('');
    return (base + marks.replace(tones, '')).normalize('NFC') + toneMarks;
  });
  return iconv.encode(decomposed, 'windows-1258');
}
