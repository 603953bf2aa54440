import yauzl from 'yauzl';
import { IngestError, problem } from './errors.ts';

/** Limits that no real workbook from a unit reaches, and every zip bomb does. */
export const XLSX_LIMITS = { totalUncompressed: 2 * 1024 ** 3, ratio: 200, ratioAbove: 20 * 1024 ** 2 };

/**
 * Reads an .xlsx's zip directory without inflating the sheets: refuses zip bombs (by declared sizes
 * and compression ratio) and files that are not workbooks, and lists the worksheets by name.
 */
export async function inspectXlsx(filePath: string): Promise<{ sheets: string[] }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(filePath, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z!)));
  }).catch((err: Error) => { throw new IngestError(problem('format-error', `tệp .xlsx bị hỏng (${err.message})`)); });
  try {
    let total = 0;
    let workbookXml: string | null = null;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
        if (total > XLSX_LIMITS.totalUncompressed || (entry.uncompressedSize > XLSX_LIMITS.ratioAbove && ratio > XLSX_LIMITS.ratio)) {
          reject(new IngestError(problem('compression-error', `nội dung giải nén quá lớn (${entry.fileName}: ${Math.round(entry.uncompressedSize / 1024 / 1024)} MB, nén ${Math.round(ratio)} lần) — có thể là "bom nén"`)));
          return;
        }
        if (entry.fileName === 'xl/workbook.xml') {
          if (entry.uncompressedSize > 10 * 1024 * 1024) { reject(new IngestError(problem('compression-error', 'xl/workbook.xml quá lớn'))); return; }
          zip.openReadStream(entry, (err, stream) => {
            if (err) { reject(err); return; }
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('error', reject);
            stream.on('end', () => { workbookXml = Buffer.concat(chunks).toString('utf8'); zip.readEntry(); });
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
    const sheets = [...(workbookXml as string).matchAll(/<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"/g)].map((m) => decodeXml(m[1]!));
    return { sheets };
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
