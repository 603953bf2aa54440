import yauzl from 'yauzl';
import { IngestError, problem } from './errors.ts';

/** Limits that no real workbook from a unit reaches, and every zip bomb does. */
export const XLSX_LIMITS = { totalUncompressed: 2 * 1024 ** 3, ratio: 200, ratioAbove: 20 * 1024 ** 2 };

/**
 * What a worksheet shows otherwise than its cells say: its rows and columns set hidden (1-based),
 * and its merged ranges (a heading over several columns is one cell, the others hold nothing).
 */
export interface SheetLayout { columns: Set<number>; rows: Set<number>; merges: { r1: number; c1: number; r2: number; c2: number }[] }

/** "AB12" → row 12, column 28. */
function cellRef(ref: string): { r: number; c: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d+)$/.exec(ref);
  if (!m) return null;
  let c = 0;
  for (const ch of m[1]!) c = c * 26 + ch.charCodeAt(0) - 64;
  return { r: Number(m[2]), c };
}

/** The most merged ranges kept per sheet: the headings of a table, not a sheet of merged cells. */
const MAX_MERGES = 10_000;

/** The workbook's worksheets by name, its hidden sheets, and each sheet's layout (hidden rows and columns, merged ranges). */
export interface XlsxOutline { sheets: string[]; hiddenSheets: Set<string>; layouts: Map<string, SheetLayout> }

/**
 * Finds the rows and columns a worksheet's XML sets hidden, and its merged ranges, as it streams by:
 * only the <row>, <col> and <mergeCell> tags are looked at (ASCII, so the bytes are read as latin1),
 * a tag cut between chunks waits.
 */
function layoutScanner(): { write(chunk: Buffer): void; parts: SheetLayout } {
  const parts: SheetLayout = { columns: new Set(), rows: new Set(), merges: [] };
  let carry = '';
  const TAG = /<(row|col|mergeCell)\b([^>]*)>/g;
  return {
    parts,
    write(chunk) {
      const text = carry + chunk.toString('latin1');
      const open = text.lastIndexOf('<');
      const cut = open > text.lastIndexOf('>') ? open : text.length;
      carry = text.slice(cut);
      if (carry.length > 64 * 1024) carry = ''; // no <row> or <col> tag is that long
      TAG.lastIndex = 0;
      for (let m; (m = TAG.exec(text)) !== null && m.index < cut;) {
        const attrs = m[2]!;
        if (m[1] === 'mergeCell') {
          const [a, b] = (/\bref="([^"]*)"/.exec(attrs)?.[1] ?? '').split(':').map(cellRef);
          if (a && b && parts.merges.length < MAX_MERGES) parts.merges.push({ r1: Math.min(a.r, b.r), c1: Math.min(a.c, b.c), r2: Math.max(a.r, b.r), c2: Math.max(a.c, b.c) });
          continue;
        }
        if (!/\bhidden="(1|true)"/.test(attrs)) continue;
        const num = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(attrs)?.[1] ?? NaN);
        if (m[1] === 'row') { const r = num('r'); if (r > 0) parts.rows.add(r); continue; }
        const min = num('min'), max = Math.min(num('max'), min + 16384);
        for (let c = min; c <= max; c++) parts.columns.add(c);
      }
    },
  };
}

/**
 * Reads an .xlsx's zip directory: refuses zip bombs (by declared sizes and compression ratio) and
 * files that are not workbooks, lists the worksheets by name, and streams each worksheet's XML once
 * for its layout: what Excel hides (sheets, rows, columns; a unit who hid them did not look at them,
 * and they would be published all the same) and its merged ranges.
 */
export async function inspectXlsx(filePath: string): Promise<XlsxOutline> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(filePath, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z!)));
  }).catch((err: Error) => { throw new IngestError(problem('format-error', `tệp .xlsx bị hỏng (${err.message})`)); });
  try {
    let total = 0;
    let workbookXml: string | null = null;
    let relsXml = '';
    const scanned = new Map<string, SheetLayout>();
    const readSmall = (entry: yauzl.Entry, name: string, done: (text: string) => void, reject: (err: unknown) => void) => {
      if (entry.uncompressedSize > 10 * 1024 * 1024) { reject(new IngestError(problem('compression-error', `${name} quá lớn`))); return; }
      zip.openReadStream(entry, (err, stream) => {
        if (err) { reject(err); return; }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => { done(Buffer.concat(chunks).toString('utf8')); zip.readEntry(); });
      });
    };
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
        if (total > XLSX_LIMITS.totalUncompressed || (entry.uncompressedSize > XLSX_LIMITS.ratioAbove && ratio > XLSX_LIMITS.ratio)) {
          reject(new IngestError(problem('compression-error', `nội dung giải nén quá lớn (${entry.fileName}: ${Math.round(entry.uncompressedSize / 1024 / 1024)} MB, nén ${Math.round(ratio)} lần) — có thể là "bom nén"`)));
          return;
        }
        if (entry.fileName === 'xl/workbook.xml') { readSmall(entry, entry.fileName, (t) => { workbookXml = t; }, reject); return; }
        if (entry.fileName === 'xl/_rels/workbook.xml.rels') { readSmall(entry, entry.fileName, (t) => { relsXml = t; }, reject); return; }
        if (/^xl\/worksheets\/[^/]+\.xml$/.test(entry.fileName)) {
          zip.openReadStream(entry, (err, stream) => {
            if (err) { reject(err); return; }
            const scan = layoutScanner();
            stream.on('data', (c: Buffer) => scan.write(c));
            stream.on('error', reject);
            stream.on('end', () => { scanned.set(entry.fileName, scan.parts); zip.readEntry(); });
          });
          return;
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
    if (workbookXml === null) throw new IngestError(problem('format-error', 'tệp nén không chứa bảng tính Excel (thiếu xl/workbook.xml)'));
    const targets = new Map([...relsXml.matchAll(/<Relationship\b[^>]*>/g)].map((m) => [/\bId="([^"]*)"/.exec(m[0])?.[1], /\bTarget="([^"]*)"/.exec(m[0])?.[1]]));
    const sheets: string[] = [];
    const hiddenSheets = new Set<string>();
    const layouts = new Map<string, SheetLayout>();
    for (const m of (workbookXml as string).matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
      const tag = m[0];
      const name = decodeXml(/\bname="([^"]*)"/.exec(tag)?.[1] ?? '');
      sheets.push(name);
      if (/\bstate="(hidden|veryHidden)"/.test(tag)) hiddenSheets.add(name);
      const target = targets.get(/\br:id="([^"]*)"/.exec(tag)?.[1]);
      const parts = target ? scanned.get(target.startsWith('/') ? target.slice(1) : `xl/${target}`) : undefined;
      if (parts) layouts.set(name, parts);
    }
    return { sheets, hiddenSheets, layouts };
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError(problem('format-error', `tệp .xlsx bị hỏng (${(err as Error).message})`));
  } finally {
    zip.close();
  }
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[e]) return named[e]!;
    return String.fromCodePoint(e[1]!.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}
