/** Vietnamese text helpers shared by ingest, catalogue and site. */

/** Removes tone and vowel marks and maps đ→d (NFD alone leaves đ, which is its own letter). */
export function foldVietnamese(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

/** ASCII slug: "Dữ liệu dân số 2024" → "du-lieu-dan-so-2024". */
export function slugify(text: string, maxLength = 80): string {
  const slug = foldVietnamese(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}

/**
 * A display name for an uploaded file: base name only, no control characters or path separators.
 * It is shown and offered as a download name, never used as a filesystem path.
 */
export function safeFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/^\.+/, '').trim().slice(-120);
  return cleaned || 'tep-du-lieu';
}

/** File extension in lower case without the dot ('' when none). */
export function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(safeFileName(name));
  return m ? m[1]!.toLowerCase() : '';
}

let collator: Intl.Collator | undefined;
/**
 * Vietnamese collation, made on first use: making it loads ICU's collation data (about 5 MB of
 * memory), which a command that sorts nothing (an ingest before its publish) need not carry.
 */
export function viCollator(): Intl.Collator {
  return (collator ??= new Intl.Collator('vi'));
}
