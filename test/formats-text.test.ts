/**
 * Vietnamese text and hostile text through the three DCAT serialisations: diacritics and language
 * tags survive, and no value can break out of its literal (quotes, <, &, newlines, """, ]]>).
 */
import { describe, expect, it } from 'vitest';
import type { Literal, Quad } from '@rdfjs/types';
import { DataFactory, Store } from 'n3';
import { datasetDcatFiles, dcatFiles } from '../server/formats/files.ts';
import { datasetQuads } from '../server/formats/dcat.ts';
import { DCAT_AP_3 } from '../server/formats/profiles/dcat-ap-3.ts';
import type { DcatProfile } from '../server/formats/profiles/profile.ts';
import { formatContext } from '../server/formats/derive.ts';
import { toRdfXml } from '../server/formats/rdfxml.ts';
import { RDF_FORMATS, type RdfFormat } from '../server/formats/rdf.ts';
import { NS } from '../server/formats/vocab.ts';
import { canonical, parseJsonLd, parseRdfXml, parseTurtle, summarise, validate } from './helpers/rdf.ts';
import { orgId, SITE, syntheticCatalog, syntheticDataset } from './helpers/snapshots.ts';

const { namedNode, literal, quad, blankNode } = DataFactory;
const parse: Record<RdfFormat, (text: string) => Quad[] | Promise<Quad[]>> = { ttl: parseTurtle, jsonld: parseJsonLd, rdf: parseRdfXml };

const HOSTILE = [
  'Tiêu đề có "ngoặc kép", \'nháy đơn\' và <thẻ> & ký hiệu',
  'Dòng một\nDòng hai\r\nDòng ba\rhết',
  'Ba dấu nháy """ liền nhau """',
  'Kết thúc bằng gạch chéo ngược \\',
  ']]> và </script><script>alert(1)</script>',
  '\tThụt lề và khoảng trắng cuối  ',
  '"""',
  '📊 Số liệu đất đai — Đắk Lắk, Ðà Nẵng, Thừa Thiên Huế',
  '@vi "^^<http://evil.example/x> . <a> <b> <c>',
];

function objectsOf(quads: Quad[], s: string, p: string): Literal[] {
  return new Store(quads).getObjects(namedNode(s), namedNode(p), null) as Literal[];
}

describe('Vietnamese and hostile text in DCAT', () => {
  for (const [i, text] of HOSTILE.entries()) {
    it(`keeps ${JSON.stringify(text).slice(0, 50)} intact in Turtle, JSON-LD and RDF/XML`, async () => {
      const d = syntheticDataset(i, { title: text, notes: `${text}\n\n${text}`, tags: [text, 'dữ liệu'], contactName: text, spatial: text });
      const files = datasetDcatFiles(d, formatContext(syntheticCatalog([d])));
      const graphs: string[] = [];
      for (const f of files) {
        const format = f.path.split('.').pop() as RdfFormat;
        const quads = await parse[format](f.body);
        const ds = `${SITE}/dataset/${d.slug}`;
        const titles = objectsOf(quads, ds, `${NS.dct}title`);
        expect(titles.map((t) => [t.value, t.language]), f.path).toEqual([[text, 'vi']]);
        expect(objectsOf(quads, ds, `${NS.dct}description`).map((t) => t.value)).toEqual([`${text}\n\n${text}`]);
        expect(objectsOf(quads, ds, `${NS.dcat}keyword`).map((t) => `${t.value}@${t.language}`).sort()).toEqual([`${text}@vi`, 'dữ liệu@vi'].sort());
        graphs.push(await canonical(quads));
      }
      expect(graphs[1]).toBe(graphs[0]);
      expect(graphs[2]).toBe(graphs[0]);
    });
  }

  it('writes Vietnamese as UTF-8 characters, composed (NFC), not as escapes', () => {
    const d = syntheticDataset(1, { title: 'Danh sách trường học'.normalize('NFD') });
    for (const f of datasetDcatFiles(d, formatContext(syntheticCatalog([d])))) {
      expect(f.body, f.path).toContain('Danh sách trường học');
      expect(f.body, f.path).toContain('Số liệu **dân số** trung bình');
      expect(f.body, f.path).not.toMatch(/\\u0[0-9a-f]{3}|&#x?[0-9a-f]+;/i);
    }
  });

  it('drops the control characters XML cannot carry (and no metadata needs), the same way in every format', async () => {
    const d = syntheticDataset(2, { title: 'Số\u0001 liệu\u000B lỗi\uFFFE \uD800cuối' });
    const files = datasetDcatFiles(d, formatContext(syntheticCatalog([d])));
    for (const f of files) {
      const quads = await parse[f.path.split('.').pop() as RdfFormat](f.body);
      expect(objectsOf(quads, `${SITE}/dataset/${d.slug}`, `${NS.dct}title`).map((t) => t.value), f.path).toEqual(['Số liệu lỗi cuối']);
    }
  });

  it('keeps hostile text out of IRIs and still conforms: a bad e-mail and a bad website are left out', async () => {
    const catalog = syntheticCatalog();
    catalog.organizations[0] = { ...catalog.organizations[0]!, contactEmail: 'không phải email <x>', website: 'javascript:alert(1)' };
    const d = syntheticDataset(3, { contactEmail: 'a b@c d', title: 'Có "ngoặc" <b>' });
    const [ttl] = datasetDcatFiles(d, formatContext(catalog), { formats: ['ttl'] });
    const quads = parseTurtle(ttl!.body);
    expect(quads.filter((q) => q.object.termType === 'NamedNode' && /mailto:|javascript:/.test(q.object.value))).toEqual([]);
    expect(summarise(await validate(quads, 'shapes.ttl'))).toEqual([]);
  });

  it('gives the unit its electronic identifier code, English name and website, and falls back to its Vietnamese name alone', () => {
    const catalog = syntheticCatalog();
    const a = syntheticDataset(4);
    const b = syntheticDataset(5, { organization: { id: orgId('ubnd-xa-ia-grai'), slug: 'ubnd-xa-ia-grai', title: 'Ủy ban nhân dân xã Ia Grai' }, contactEmail: null, contactName: null });
    const qa = parseTurtle(datasetDcatFiles(a, formatContext(catalog), { formats: ['ttl'] })[0]!.body);
    const org = `${SITE}/organization/so-khoa-hoc-va-cong-nghe`;
    expect(objectsOf(qa, org, `${NS.dct}identifier`).map((t) => t.value)).toEqual(['000.00.17.H21']);
    expect(objectsOf(qa, org, `${NS.foaf}name`).map((t) => `${t.value}@${t.language}`).sort()).toEqual(['Department of Science and Technology, Gia Lai@en', 'Sở Khoa học và Công nghệ tỉnh Gia Lai@vi']);
    expect(new Store(qa).getObjects(namedNode(org), namedNode(`${NS.foaf}homepage`), null).map((t) => t.value)).toEqual(['https://skhcn.gialai.gov.vn/']);
    expect(new Store(qa).getObjects(namedNode(org), namedNode(`${NS.foaf}mbox`), null).map((t) => t.value)).toEqual(['mailto:skhcn@gialai.gov.vn']);
    const qb = parseTurtle(datasetDcatFiles(b, formatContext(catalog), { formats: ['ttl'] })[0]!.body);
    const commune = `${SITE}/organization/ubnd-xa-ia-grai`;
    expect(objectsOf(qb, commune, `${NS.foaf}name`).map((t) => `${t.value}@${t.language}`)).toEqual(['Ủy ban nhân dân xã Ia Grai@vi']);
    expect(objectsOf(qb, commune, `${NS.dct}identifier`)).toEqual([]);
    // the contact point falls back to the unit's name; no e-mail is invented
    const contact = new Store(qb).getObjects(namedNode(`${SITE}/dataset/${b.slug}`), namedNode(`${NS.dcat}contactPoint`), null)[0]!;
    expect(new Store(qb).getObjects(contact, namedNode(`${NS.vcard}fn`), null).map((t) => t.value)).toEqual(['Ủy ban nhân dân xã Ia Grai']);
    expect(new Store(qb).getObjects(contact, namedNode(`${NS.vcard}hasEmail`), null)).toEqual([]);
  });

  it('describes a format the EU file types lack (NDJSON) by its name, and gives no media type IANA has not registered', async () => {
    const d = syntheticDataset(6, { format: 'NDJSON', mediaType: 'application/x-ndjson' });
    const quads = parseTurtle(datasetDcatFiles(d, formatContext(syntheticCatalog([d])), { formats: ['ttl'] })[0]!.body);
    const store = new Store(quads);
    const dist = namedNode(`${SITE}/dataset/${d.slug}/resource/${d.resources[0]!.id}#original`);
    expect(store.getObjects(dist, namedNode(`${NS.dcat}mediaType`), null)).toEqual([]);
    const format = store.getObjects(dist, namedNode(`${NS.dct}format`), null);
    expect(format).toHaveLength(1);
    expect(store.getObjects(format[0]!, namedNode(`${NS.rdfs}label`), null).map((t) => t.value)).toEqual(['NDJSON']);
    expect(summarise(await validate(quads, 'shapes.ttl'))).toEqual([]);
    expect(summarise(await validate(quads, 'range.ttl'))).toEqual([]);
  });

  it('meets every recommended shape a dataset can meet from the snapshot when its coverage has an end', async () => {
    const d = syntheticDataset(7);
    const quads = parseTurtle(datasetDcatFiles(d, formatContext(syntheticCatalog([d])), { formats: ['ttl'] })[0]!.body);
    // what remains: a place given by name has no bounding box or centroid in the snapshot
    expect([...new Set((await validate(quads, 'shapes_recommended.ttl')).map((f) => f.path.replace(/.*[#/]/, '')))].sort()).toEqual(['bbox', 'centroid']);
  });
});

describe('profiles', () => {
  it('takes its controlled values from the profile object: another profile changes the vocabulary, not the shape', async () => {
    // a profile for the test only, built on the default one (no such national profile exists yet)
    const other: DcatProfile = {
      ...DCAT_AP_3,
      id: 'test_profile',
      language: (tag) => `http://id.loc.gov/vocabulary/iso639-1/${tag}`,
      themes: (topic) => [`http://example.org/themes/${topic}`],
      themeTaxonomies: ['http://example.org/themes'],
      frequency: (f) => `http://example.org/frequency/${f.id}`,
      concept: () => undefined,
      scheme: (iri) => (iri === 'http://example.org/themes' ? { titles: { vi: 'Lĩnh vực' } } : undefined),
    };
    const d = syntheticDataset(8);
    const c = formatContext(syntheticCatalog([d]));
    const store = new Store(datasetQuads(d, c, other));
    const ds = namedNode(`${SITE}/dataset/${d.slug}`);
    expect(store.getObjects(ds, namedNode(`${NS.dct}language`), null).map((t) => t.value)).toEqual(['http://id.loc.gov/vocabulary/iso639-1/vi']);
    expect(store.getObjects(ds, namedNode(`${NS.dct}accrualPeriodicity`), null).map((t) => t.value)).toEqual(['http://example.org/frequency/yearly']);
    expect(store.getObjects(ds, namedNode(`${NS.dcat}theme`), null).map((t) => t.value).sort()).toEqual([
      `${SITE}/group/dia-phuong`, `${SITE}/group/xa-hoi`, 'http://example.org/themes/dia-phuong', 'http://example.org/themes/xa-hoi',
    ].sort());
    const files = dcatFiles(syntheticCatalog([d]), [d], { profile: other, formats: ['ttl'] });
    const cat = parseTurtle(files.find((f) => f.path === 'catalog.ttl')!.body);
    expect(new Store(cat).getObjects(namedNode(SITE), namedNode(`${NS.dcat}themeTaxonomy`), null).map((t) => t.value).sort()).toEqual(['http://example.org/themes', `${SITE}/group`]);
    expect(summarise(await validate(cat, 'shapes.ttl'))).toEqual([]);
  });
});

describe('the RDF/XML writer', () => {
  const s = namedNode('http://ex.org/s');
  it('declares a namespace it has no prefix for on the element, and parses back to the same graph', async () => {
    const quads = [
      quad(s, namedNode('http://other.example/vocab#size-in_bytes'), literal('12', namedNode(`${NS.xsd}integer`))),
      quad(s, namedNode(`${NS.dct}title`), literal('a & b < c > d "e"\r\n', 'vi')),
      quad(blankNode('1-starts-with-a-digit'), namedNode(`${NS.dct}title`), literal('x')),
      quad(s, namedNode(`${NS.dct}relation`), blankNode('1-starts-with-a-digit')),
    ];
    const xml = toRdfXml(quads, { dct: NS.dct });
    expect(xml).toContain('xmlns:ns0="http://other.example/vocab#"');
    expect(await canonical(await parseRdfXml(xml))).toBe(await canonical(quads));
  });
  it('refuses what RDF/XML cannot express rather than write a wrong document', () => {
    expect(() => toRdfXml([quad(s, namedNode('http://ex.org/ends-with-slash/'), literal('x'))])).toThrow(/cannot name the property/);
    expect(() => toRdfXml([quad(s, namedNode('http://ex.org/p'), literal('x'), namedNode('http://ex.org/g'))])).toThrow(/named graphs/);
    expect(() => toRdfXml([quad(s, namedNode('http://ex.org/p'), literal('bad \u0001'))])).toThrow(/XML 1.0 forbids/);
  });
  it('joins the bodies of several graphs into one document holding their union', async () => {
    const a = [quad(s, namedNode(`${NS.dct}title`), literal('một', 'vi'))];
    const b = [quad(s, namedNode(`${NS.dct}title`), literal('một', 'vi')), quad(s, namedNode(`${NS.dct}title`), literal('hai', 'vi'))];
    for (const f of Object.keys(RDF_FORMATS) as RdfFormat[]) {
      const doc = RDF_FORMATS[f].document([RDF_FORMATS[f].body(a), RDF_FORMATS[f].body(b)]);
      expect(await canonical(await parse[f](doc)), f).toBe(await canonical(b));
    }
  });
});
