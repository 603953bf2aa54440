/**
 * DCAT-AP 3.0.1 of the demo catalogue, as a harvester would read it: the demo datasets go through
 * the real ingest and publish path (PGlite), then every DCAT file is parsed back and checked.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Quad, Term } from '@rdfjs/types';
import { DataFactory, Store } from 'n3';
import { openDatabase, type Database } from '../server/db/index.ts';
import { loadDemoCatalog } from '../server/seed/demo.ts';
import { readPublishedCatalog } from '../server/publish/snapshot.ts';
import { BlobStore } from '../server/storage/blobs.ts';
import type { SnapshotCatalog, SnapshotDataset } from '../server/contract/snapshot.ts';
import { dcatFiles, type DcatFile } from '../server/formats/files.ts';
import { datasetQuads } from '../server/formats/dcat.ts';
import { formatContext } from '../server/formats/derive.ts';
import { datasetJsonLd } from '../server/formats/schemaorg.ts';
import { dataPackageOf } from '../server/formats/frictionless.ts';
import { NS } from '../server/formats/vocab.ts';
import { canonical, parseJsonLd, parseRdfXml, parseTurtle, summarise, validate } from './helpers/rdf.ts';
import { copyOfDemoCatalog, tempDir } from './helpers/fixtures.ts';
import { testCatalog } from './helpers/catalog.ts';

const SITE = 'http://localhost:4321';
const { namedNode, literal, quad } = DataFactory;
const iri = (p: keyof typeof NS, local: string) => NS[p] + local;

let database: Database;
let catalog: SnapshotCatalog;
let datasets: SnapshotDataset[];
let files: Map<string, DcatFile>;

beforeAll(async () => {
  database = await openDatabase({});
  const dir = tempDir();
  const store = new BlobStore(path.join(dir, 'files'), path.join(dir, 'tmp'));
  const results = await loadDemoCatalog(testCatalog(database, { dataDir: dir }).actions, copyOfDemoCatalog());
  expect(results.filter((r) => r.status !== 'published')).toEqual([]);
  ({ catalog, datasets } = await readPublishedCatalog(database.db, store, SITE));
  files = new Map((await dcatFiles(catalog, datasets)).map((f) => [f.path, f]));
});
afterAll(async () => {
  await database?.close();
});

const body = (p: string) => {
  const f = files.get(p);
  if (!f) throw new Error(`no file ${p}`);
  return f.body;
};
/** objects of (s, p): `s` an IRI, or a term (blank nodes are relabelled by parsers) */
const values = (quads: Quad[], s: string | Term, p: string): Term[] => new Store(quads).getObjects(typeof s === 'string' ? namedNode(s) : s, namedNode(p), null);
const strings = (quads: Quad[], s: string | Term, p: string) => values(quads, s, p).map((t) => t.value).sort();
/** A catalogue page's Hydra links name pages of its own format: read them as the Turtle pages' to compare graphs. */
const asTurtlePages = (quads: Quad[]): Quad[] => quads.map((q) => {
  const o = q.object;
  if (o.termType !== 'Literal' && o.termType !== 'NamedNode') return q;
  const v = o.value.replace(/^(http:\/\/localhost:4321\/catalog(?:\/page\/\d+)?)\.(jsonld|rdf)$/, '$1.ttl');
  const s = q.subject.termType === 'NamedNode' ? namedNode(q.subject.value.replace(/^(http:\/\/localhost:4321\/catalog(?:\/page\/\d+)?)\.(jsonld|rdf)$/, '$1.ttl')) : q.subject;
  return quad(s, q.predicate, o.termType === 'Literal' ? literal(v, o.language || o.datatype) : namedNode(v));
});

describe('DCAT-AP 3.0.1 of the demo catalogue', () => {
  it('writes each dataset as Turtle, JSON-LD and RDF/XML beside the catalogue pages, with their media types', () => {
    expect(datasets.length).toBe(11);
    for (const d of datasets) {
      expect(files.get(`dataset/${d.slug}.ttl`)?.mediaType).toBe('text/turtle');
      expect(files.get(`dataset/${d.slug}.jsonld`)?.mediaType).toBe('application/ld+json');
      expect(files.get(`dataset/${d.slug}.rdf`)?.mediaType).toBe('application/rdf+xml');
    }
    expect([...files.keys()].filter((p) => p.startsWith('catalog'))).toEqual(['catalog.ttl', 'catalog.jsonld', 'catalog.rdf']);
    expect(files.size).toBe(11 * 3 + 3);
  });

  it('gives the same graph in all three serialisations, for every dataset and the catalogue', async () => {
    for (const name of [...datasets.map((d) => `dataset/${d.slug}`), 'catalog']) {
      const ttl = parseTurtle(body(`${name}.ttl`));
      expect(ttl.length, name).toBeGreaterThan(50);
      const c = await canonical(ttl);
      expect(await canonical(asTurtlePages(await parseJsonLd(body(`${name}.jsonld`)))), `${name}.jsonld`).toBe(c);
      expect(await canonical(asTurtlePages(await parseRdfXml(body(`${name}.rdf`)))), `${name}.rdf`).toBe(c);
    }
  });

  it('conforms to the mandatory DCAT-AP 3.0.1 shapes and class ranges: every dataset and the catalogue', async () => {
    for (const name of [...datasets.map((d) => `dataset/${d.slug}.ttl`), 'catalog.ttl']) {
      expect(summarise(await validate(parseTurtle(body(name)), 'shapes.ttl')), name).toEqual([]);
      expect(summarise(await validate(parseTurtle(body(name)), 'range.ttl')), name).toEqual([]);
    }
  });

  it('meets the recommended shapes but where the snapshot has no answer (geometry, open-ended coverage, the catalogue licence)', async () => {
    const report: string[] = [];
    for (const name of [...datasets.map((d) => `dataset/${d.slug}.ttl`), 'catalog.ttl']) {
      const findings = await validate(parseTurtle(body(name)), 'shapes_recommended.ttl');
      report.push(`${name}: ${findings.length ? [...new Set(findings.map((f) => f.path.replace(/.*[#/]/, '')))].join(', ') : 'conforms'}`);
      for (const f of findings) {
        // a dct:Location without bbox/centroid, a period with no end yet, a catalogue with no metadata licence chosen
        expect(['bbox', 'centroid', 'endDate', ...(name === 'catalog.ttl' ? ['license'] : [])], `${name}: ${summarise([f])}`).toContain(f.path.replace(/.*[#/]/, ''));
      }
    }
    console.log(`shapes_recommended.ttl:\n  ${report.join('\n  ')}`);
    // once the province names the metadata licence, the catalogue's own recommendation holds
    const withLicence = await dcatFiles(catalog, datasets.slice(0, 1), { portal: { metadataLicence: 'https://creativecommons.org/publicdomain/zero/1.0/' }, formats: ['ttl'] });
    const cat = parseTurtle(withLicence.find((f) => f.path === 'catalog.ttl')!.body);
    expect((await validate(cat, 'shapes_recommended.ttl')).filter((f) => f.focus === SITE)).toEqual([]);
  });

  it('uses the EU vocabularies where DCAT-AP expects them (mdr-vocabularies.shape.ttl: only the advice this portal cannot follow)', async () => {
    const found = new Set<string>();
    for (const name of [...datasets.map((d) => `dataset/${d.slug}.ttl`), 'catalog.ttl']) {
      for (const f of await validate(parseTurtle(body(name)), 'mdr-vocabularies.shape.ttl')) found.add(`${f.severity} ${f.path.replace(/.*[#/]/, '')}`);
    }
    console.log(`mdr-vocabularies.shape.ttl: ${[...found].join('; ')}`);
    // spdx:algorithm: the shape's pattern is "^https://spdx.org/rdf/terms" but SPDX's IRIs are http:// (the
    // shape's own error); publisher: the units are not EU corporate bodies; spatial: no EU or GeoNames
    // place for a Vietnamese province; theme: the portal's own topics stand beside the EU themes
    for (const f of found) expect(['Violation algorithm', 'Warning publisher', 'Warning spatial', 'Warning theme']).toContain(f);
  });

  it('is not validated vacuously: a dataset without a title or a distribution without an access URL fails', async () => {
    const d = datasets.find((x) => x.slug === 'tuyen-xe-buyt')!;
    const quads = datasetQuads(d, formatContext(catalog));
    const ds = `${SITE}/dataset/tuyen-xe-buyt`;
    const broken = quads.filter((q) => !(q.subject.value === ds && q.predicate.value === iri('dct', 'title')) && q.predicate.value !== iri('dcat', 'accessURL'));
    const findings = await validate(broken, 'shapes.ttl');
    expect(findings.map((f) => f.path).sort()).toEqual([iri('dct', 'title'), ...Array(3).fill(iri('dcat', 'accessURL'))]);
  });

  it('describes a dataset the way a harvester reads it', () => {
    const d = datasets.find((x) => x.slug === 'tuyen-xe-buyt')!;
    const r = d.resources[0]!;
    const q = parseTurtle(body('dataset/tuyen-xe-buyt.ttl'));
    const ds = `${SITE}/dataset/tuyen-xe-buyt`;
    const one = (s: string | Term, p: string) => {
      const v = values(q, s, p);
      expect(v, `${s} ${p}`).toHaveLength(1);
      return v[0]!;
    };
    expect(one(ds, iri('rdf', 'type')).value).toBe(iri('dcat', 'Dataset'));
    expect(one(ds, iri('dct', 'title'))).toMatchObject({ value: 'Các tuyến xe buýt đang khai thác', language: 'vi' });
    expect(one(ds, iri('dct', 'identifier')).value).toBe(d.id);
    expect(one(ds, iri('dcat', 'landingPage')).value).toBe(`${SITE}/dataset/tuyen-xe-buyt/`);
    expect(one(ds, iri('dct', 'issued'))).toMatchObject({ value: d.publishedAt, datatype: { value: iri('xsd', 'dateTime') } });
    expect(one(ds, iri('dct', 'modified'))).toMatchObject({ value: d.modifiedAt, datatype: { value: iri('xsd', 'dateTime') } });
    expect(one(ds, iri('dct', 'language')).value).toBe('http://publications.europa.eu/resource/authority/language/VIE');
    expect(one(ds, iri('dct', 'accrualPeriodicity')).value).toBe('http://publications.europa.eu/resource/authority/frequency/QUARTERLY');
    expect(one(ds, iri('owl', 'versionInfo')).value).toBe('1');
    expect(one(ds, iri('adms', 'versionNotes'))).toMatchObject({ value: d.versions[0]!.note, language: 'vi' });
    expect(strings(q, ds, iri('dcat', 'keyword'))).toEqual([...d.tags].sort());
    expect(strings(q, ds, iri('dcat', 'theme'))).toEqual([
      'http://localhost:4321/group/nang-luong-ha-tang',
      'http://publications.europa.eu/resource/authority/data-theme/ENER',
      'http://publications.europa.eu/resource/authority/data-theme/TRAN',
    ]);
    const period = one(ds, iri('dct', 'temporal'));
    expect(one(period, iri('dcat', 'startDate'))).toMatchObject({ value: '2025-10-01', datatype: { value: iri('xsd', 'date') } });
    expect(one(one(ds, iri('dct', 'spatial')), iri('skos', 'prefLabel'))).toMatchObject({ value: 'Tỉnh Gia Lai', language: 'vi' });

    const publisher = one(ds, iri('dct', 'publisher')).value;
    expect(publisher).toBe(`${SITE}/organization/so-xay-dung`);
    expect(values(q, publisher, iri('rdf', 'type')).map((t) => t.value)).toContain(iri('foaf', 'Agent'));
    expect(values(q, publisher, iri('foaf', 'name')).map((t) => `${t.value}@${(t as { language?: string }).language}`).sort())
      .toEqual(['Department of Construction, Gia Lai@en', 'Sở Xây dựng tỉnh Gia Lai@vi']);
    const contact = one(ds, iri('dcat', 'contactPoint'));
    expect(one(contact, iri('rdf', 'type')).value).toBe(iri('vcard', 'Kind'));
    expect(one(contact, iri('vcard', 'fn')).value).toBe('Phòng Quản lý vận tải, Sở Xây dựng');
    expect(one(contact, iri('vcard', 'hasEmail')).value).toBe('mailto:sxd@gialai.gov.vn');

    const dists = strings(q, ds, iri('dcat', 'distribution'));
    expect(dists).toEqual(['csv', 'json', 'original'].map((k) => `${SITE}/dataset/tuyen-xe-buyt/resource/${r.id}#${k}`));
    for (const [kind, f] of Object.entries(r.downloads)) {
      const dist = `${SITE}/dataset/tuyen-xe-buyt/resource/${r.id}#${kind}`;
      expect(one(dist, iri('dcat', 'downloadURL')).value).toBe(SITE + f.url);
      expect(one(dist, iri('dcat', 'accessURL')).value).toBe(SITE + f.url);
      expect(one(dist, iri('dcat', 'byteSize'))).toMatchObject({ value: String(f.size), datatype: { value: iri('xsd', 'nonNegativeInteger') } });
      expect(one(dist, iri('dcat', 'mediaType')).value).toBe(`https://www.iana.org/assignments/media-types/${f.mediaType}`);
      expect(one(dist, iri('dct', 'format')).value).toBe(`http://publications.europa.eu/resource/authority/file-type/${f.format}`);
      expect(one(dist, iri('dct', 'license')).value).toBe('https://creativecommons.org/licenses/by/4.0/');
      const checksum = one(dist, iri('spdx', 'checksum'));
      expect(one(checksum, iri('spdx', 'algorithm')).value).toBe(iri('spdx', 'checksumAlgorithm_sha256'));
      expect(one(checksum, iri('spdx', 'checksumValue'))).toMatchObject({ value: f.sha256, datatype: { value: iri('xsd', 'hexBinary') } });
    }
    const licence = 'https://creativecommons.org/licenses/by/4.0/';
    expect(one(licence, iri('rdf', 'type')).value).toBe(iri('dct', 'LicenseDocument'));
    expect(one(licence, iri('dct', 'type')).value).toBe('http://purl.org/adms/licencetype/Attribution');
  });

  it('maps an XLSX original to the EU XLSX file type and its IANA media type', () => {
    const q = parseTurtle(body('dataset/doanh-nghiep-thanh-lap-moi-theo-quy.ttl'));
    const d = datasets.find((x) => x.slug === 'doanh-nghiep-thanh-lap-moi-theo-quy')!;
    const dist = `${SITE}/dataset/${d.slug}/resource/${d.resources[0]!.id}#original`;
    expect(strings(q, dist, iri('dct', 'format'))).toEqual(['http://publications.europa.eu/resource/authority/file-type/XLSX']);
    expect(strings(q, dist, iri('dcat', 'mediaType'))).toEqual(['https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  });

  it('describes the catalogue: title, publisher, homepage, themes, and every dataset once', () => {
    const q = parseTurtle(body('catalog.ttl'));
    expect(strings(q, SITE, iri('rdf', 'type'))).toEqual([iri('dcat', 'Catalog')]);
    expect(strings(q, SITE, iri('dct', 'title'))).toEqual(['Cổng dữ liệu mở tỉnh Gia Lai', 'Gia Lai Province Open Data Portal']);
    expect(strings(q, SITE, iri('dct', 'publisher'))).toEqual([`${SITE}/organization/so-khoa-hoc-va-cong-nghe`]);
    expect(strings(q, SITE, iri('foaf', 'homepage'))).toEqual([`${SITE}/`]);
    expect(strings(q, SITE, iri('dcat', 'themeTaxonomy'))).toEqual([`${SITE}/group`, 'http://publications.europa.eu/resource/authority/data-theme']);
    expect(strings(q, SITE, iri('dcat', 'dataset'))).toEqual(datasets.map((d) => `${SITE}/dataset/${d.slug}`).sort());
    expect(new Store(q).getSubjects(iri('rdf', 'type'), iri('dcat', 'Dataset'), null)).toHaveLength(11);
    const page = `${SITE}/catalog.ttl`;
    expect(strings(q, page, iri('hydra', 'totalItems'))).toEqual(['11']);
    expect(strings(q, page, iri('hydra', 'next'))).toEqual([]);
    expect(strings(q, page, iri('hydra', 'first'))).toEqual([page]);
  });

  it('writes the same bytes again for the same snapshot (so a rebuild can share unchanged files), also when datasets are read one page at a time', async () => {
    const again = dcatFiles(catalog, datasets);
    for (const f of again) expect(f.body, f.path).toBe(files.get(f.path)!.body);
    const bySlug = new Map(datasets.map((d) => [d.slug, d]));
    const read: string[] = [];
    const paged = dcatFiles(catalog, (slug) => (read.push(slug), bySlug.get(slug)!));
    expect(read.sort()).toEqual(datasets.map((d) => d.slug).sort());
    expect(paged.map((f) => [f.path, f.body])).toEqual(again.map((f) => [f.path, f.body]));
  });

  it('keeps every title\'s Vietnamese letters and its @vi tag in every format', async () => {
    for (const d of datasets) {
      for (const [ext, read] of [['ttl', parseTurtle], ['jsonld', parseJsonLd], ['rdf', parseRdfXml]] as const) {
        const q = await read(body(`dataset/${d.slug}.${ext}`));
        const titles = values(q, `${SITE}/dataset/${d.slug}`, iri('dct', 'title')).map((t) => `${t.value}@${(t as { language?: string }).language}`);
        expect(titles, `${d.slug}.${ext}`).toEqual([`${d.title.normalize('NFC')}@vi`]);
        const org = catalog.organizations.find((o) => o.slug === d.organization.slug)!;
        expect(values(q, `${SITE}/organization/${org.slug}`, iri('foaf', 'name')).map((t) => t.value)).toContain(org.title);
      }
    }
  });
});

describe('schema.org and Frictionless share the DCAT values', () => {
  it('gives the same download URLs, sizes, hashes, licence, publisher and dates as the DCAT graph', () => {
    for (const d of datasets) {
      const q = parseTurtle(body(`dataset/${d.slug}.ttl`));
      const ds = `${SITE}/dataset/${d.slug}`;
      const ld = JSON.parse(datasetJsonLd(d, catalog, SITE));
      const pkg = dataPackageOf(d, catalog, SITE) as { licenses: { path: string }[]; created: string; homepage: string; contributors: { title: string; path: string }[]; resources: { path: string; bytes: number; hash: string }[] };
      const dists = strings(q, ds, iri('dcat', 'distribution'));
      const dcatDownloads = dists.map((x) => ({
        url: strings(q, x, iri('dcat', 'downloadURL'))[0],
        size: Number(strings(q, x, iri('dcat', 'byteSize'))[0]),
        sha256: strings(q, values(q, x, iri('spdx', 'checksum'))[0]!, iri('spdx', 'checksumValue'))[0],
        licence: strings(q, x, iri('dct', 'license'))[0],
      }));
      const byUrl = new Map(dcatDownloads.map((x) => [x.url, x]));
      // schema.org: every DataDownload is a DCAT distribution, same size
      expect(ld.distribution).toHaveLength(dists.length);
      for (const dd of ld.distribution) expect(byUrl.get(dd.contentUrl)?.size, dd.contentUrl).toBe(Number.parseInt(dd.contentSize, 10));
      expect(ld.license).toBe(dcatDownloads[0]!.licence);
      expect(ld.url).toBe(strings(q, ds, iri('dcat', 'landingPage'))[0]);
      expect(ld.datePublished).toBe(strings(q, ds, iri('dct', 'issued'))[0]);
      expect(ld.dateModified).toBe(strings(q, ds, iri('dct', 'modified'))[0]);
      const publisher = strings(q, ds, iri('dct', 'publisher'))[0]!;
      expect(ld.publisher.name).toBe(values(q, publisher, iri('foaf', 'name')).find((t) => (t as { language?: string }).language === 'vi')!.value);
      expect(ld.publisher.url).toBe(`${publisher}/`);
      // Frictionless: each resource's CSV is the DCAT CSV distribution, same bytes and hash
      for (const r of pkg.resources) {
        expect(byUrl.get(r.path), r.path).toMatchObject({ size: r.bytes, sha256: r.hash.replace('sha256:', '') });
      }
      expect(pkg.licenses[0]!.path).toBe(dcatDownloads[0]!.licence);
      expect(pkg.created).toBe(ld.datePublished);
      expect(pkg.homepage).toBe(ld.url);
      expect(pkg.contributors[0]).toMatchObject({ title: ld.publisher.name, path: ld.publisher.url });
    }
  });
});
