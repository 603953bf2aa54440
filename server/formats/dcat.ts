/**
 * The DCAT mapping: a published dataset (and the catalogue) as RDF/JS quads, in the shape
 * DCAT-AP 3.0.1 asks for, with the controlled values of a profile (profiles/). Follows ckanext-dcat's
 * CKAN → DCAT mapping (shared/reference/ckan-anchors.md §3) where the portal has the CKAN field.
 */
import type { BlankNode, Literal, NamedNode, Quad, Quad_Object, Quad_Subject } from '@rdfjs/types';
import { DataFactory } from 'n3';
import type { SnapshotDataset } from '../contract/snapshot.ts';
import { deriveAgent, deriveDataset, DOWNLOAD_LABELS, uris, type DerivedAgent, type DerivedDataset, type DerivedDownload, type DerivedLink, type FormatContext } from './derive.ts';
import type { DcatProfile } from './profiles/profile.ts';
import { DCAT_AP_3 } from './profiles/dcat-ap-3.ts';
import { v } from './vocab.ts';

const { namedNode, blankNode, literal } = DataFactory;

/** Characters no XML 1.0 document can carry, and that no metadata text needs: dropped from every literal, so the three serialisations stay one graph. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const cleanText = (s: string): string => s.normalize('NFC').replace(NOT_XML, '');

/** Characters an IRI may not contain as they are (RFC 3987): percent-encoded. */
const IRI_UNSAFE = /[\u0000-\u0020<>"{}|\\^`\u007F]/g;
const safeIri = (s: string): string => s.replace(IRI_UNSAFE, (ch) => encodeURIComponent(ch));

/** A blank node label from parts (ids are UUIDs or slugs): stable, so a rebuild writes the same bytes. */
const label = (...parts: string[]): string => parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');

const XSD = (t: string) => namedNode(v('xsd', t));

function dateLiteral(value: string | null | undefined): Literal | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(value)) return literal(value, XSD('dateTime'));
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return literal(value, XSD('date'));
  if (/^\d{4}-\d{2}$/.test(value)) return literal(value, XSD('gYearMonth'));
  if (/^\d{4}$/.test(value)) return literal(value, XSD('gYear'));
  return null;
}

function validEmail(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t && /^[^\s@<>"()\[\],;:]+@[^\s@<>"()\[\],;:]+\.[^\s@<>"()\[\],;:]+$/.test(t) ? t : null;
}

function webAddress(s: string | null | undefined): string | null {
  if (!s?.trim()) return null;
  try {
    const u = new URL(s.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

const termKey = (t: Quad_Subject | Quad_Object): string =>
  t.termType === 'Literal' ? `"${t.value}"@${t.language}^${t.datatype.value}` : `${t.termType === 'BlankNode' ? '_:' : ''}${t.value}`;

/**
 * Quads of one graph without duplicates, grouped by subject in order of first appearance (so the
 * Turtle writer gives one block per subject, and the same input gives the same bytes).
 */
export function mergeQuads(...graphs: Quad[][]): Quad[] {
  const seen = new Set<string>();
  const bySubject = new Map<string, Quad[]>();
  for (const graph of graphs) {
    for (const q of graph) {
      const s = termKey(q.subject);
      const key = `${s} ${q.predicate.value} ${termKey(q.object)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let group = bySubject.get(s);
      if (!group) bySubject.set(s, (group = []));
      group.push(q);
    }
  }
  return [...bySubject.values()].flat();
}

export class GraphBuilder {
  private readonly added: Quad[] = [];
  private described = new Set<string>();
  readonly profile: DcatProfile;
  constructor(profile: DcatProfile = DCAT_AP_3) {
    this.profile = profile;
  }

  quads(): Quad[] {
    return mergeQuads(this.added);
  }
  node(iri: string): NamedNode {
    return namedNode(safeIri(iri));
  }
  blank(...parts: string[]): BlankNode {
    return blankNode(label(...parts));
  }
  add(s: Quad_Subject, p: string, o: Quad_Object): void {
    this.added.push(DataFactory.quad(s, namedNode(p), o));
  }
  type(s: Quad_Subject, ...classes: string[]): void {
    for (const c of classes) this.add(s, v('rdf', 'type'), namedNode(c));
  }
  /** a link to a controlled value, with what the profile knows about it written beside it */
  concept(s: Quad_Subject, p: string, iri: string | null | undefined): void {
    if (!iri) return;
    this.add(s, p, this.node(iri));
    this.describe(iri);
  }
  text(s: Quad_Subject, p: string, value: string | null | undefined, lang?: string): void {
    if (value == null) return;
    const t = cleanText(value);
    if (t.trim()) this.add(s, p, lang ? literal(t, lang) : literal(t));
  }
  texts(s: Quad_Subject, p: string, values: Record<string, string | null | undefined>): void {
    for (const [lang, value] of Object.entries(values)) this.text(s, p, value, lang);
  }
  date(s: Quad_Subject, p: string, value: string | null | undefined): void {
    const l = dateLiteral(value);
    if (l) this.add(s, p, l);
  }
  typed(s: Quad_Subject, p: string, value: string, datatype: string): void {
    this.add(s, p, literal(value, namedNode(datatype)));
  }

  private describe(iri: string): void {
    if (this.described.has(iri)) return;
    this.described.add(iri);
    const info = this.profile.concept(iri);
    const scheme = this.profile.scheme(iri);
    const node = this.node(iri);
    if (info) {
      this.type(node, ...info.types);
      if (info.labels) this.texts(node, v('skos', 'prefLabel'), info.labels);
      if (info.scheme) this.concept(node, v('skos', 'inScheme'), info.scheme);
    }
    if (scheme) {
      this.type(node, v('skos', 'ConceptScheme'));
      this.texts(node, v('dct', 'title'), scheme.titles);
    }
  }
}

function addAgent(g: GraphBuilder, a: DerivedAgent): NamedNode {
  const agent = g.node(a.uri);
  g.type(agent, v('foaf', 'Agent'), v('foaf', 'Organization'));
  g.texts(agent, v('foaf', 'name'), { vi: a.name.vi, en: a.name.en });
  // the unit's electronic identifier code (mã định danh điện tử, QĐ 20/2020/QĐ-TTg)
  g.text(agent, v('dct', 'identifier'), a.identifierCode);
  g.concept(agent, v('dct', 'type'), g.profile.publisherType(a.org));
  const email = validEmail(a.email);
  if (email) g.add(agent, v('foaf', 'mbox'), g.node(`mailto:${email}`));
  const site = webAddress(a.website);
  if (site) g.add(agent, v('foaf', 'homepage'), g.node(site));
  return agent;
}

/** the portal's own topics: concepts of the scheme `{site}/group`, in Vietnamese and English */
function addTopicScheme(g: GraphBuilder, c: FormatContext): NamedNode {
  const scheme = g.node(uris.topicScheme(c));
  g.type(scheme, v('skos', 'ConceptScheme'));
  g.texts(scheme, v('dct', 'title'), { vi: 'Chủ đề', en: 'Topics' });
  return scheme;
}

function addLicence(g: GraphBuilder, c: FormatContext, url: string): NamedNode {
  const node = g.node(url);
  g.type(node, v('dct', 'LicenseDocument'));
  const licence = c.catalog.licences.find((l) => l.url === url);
  if (licence) {
    g.text(node, v('dct', 'title'), licence.title, 'vi');
    g.text(node, v('dct', 'identifier'), licence.id);
    g.concept(node, v('dct', 'type'), g.profile.licenceType(licence));
  }
  return node;
}

function addDistribution(g: GraphBuilder, c: FormatContext, x: DerivedDataset, f: DerivedDownload): NamedNode {
  const dist = g.node(f.uri);
  const kind = DOWNLOAD_LABELS[f.kind];
  g.type(dist, v('dcat', 'Distribution'));
  g.text(dist, v('dct', 'title'), `${f.resource.title} (${f.kind === 'original' ? `${kind.vi}, ${f.format}` : kind.vi})`, 'vi');
  // the unit's own description of the resource speaks of the file it uploaded
  g.text(dist, v('dct', 'description'), [f.kind === 'original' ? f.resource.description.trim() : '', kind.describeVi].filter(Boolean).join(' '), 'vi');
  g.text(dist, v('dct', 'description'), kind.describeEn, 'en');
  const url = g.node(f.url);
  g.add(dist, v('dcat', 'accessURL'), url);
  g.add(dist, v('dcat', 'downloadURL'), url);
  g.concept(dist, v('dcat', 'mediaType'), g.profile.mediaType(f.mediaType));
  const fileType = g.profile.fileType(f.format);
  if (fileType) g.concept(dist, v('dct', 'format'), fileType);
  else {
    const format = g.blank('format', f.resource.id, f.kind);
    g.type(format, v('dct', 'MediaTypeOrExtent'));
    g.text(format, v('rdfs', 'label'), f.format);
    g.add(dist, v('dct', 'format'), format);
  }
  g.typed(dist, v('dcat', 'byteSize'), String(f.size), v('xsd', 'nonNegativeInteger'));
  const checksum = g.blank('checksum', f.resource.id, f.kind);
  g.type(checksum, v('spdx', 'Checksum'));
  g.concept(checksum, v('spdx', 'algorithm'), g.profile.sha256);
  g.typed(checksum, v('spdx', 'checksumValue'), f.sha256, v('xsd', 'hexBinary'));
  g.add(dist, v('spdx', 'checksum'), checksum);
  if (x.licence) g.add(dist, v('dct', 'license'), addLicence(g, c, x.licence.url));
  g.concept(dist, v('dcatap', 'availability'), g.profile.availability);
  g.date(dist, v('dct', 'modified'), f.since);
  return dist;
}

/** A distribution that links to data held elsewhere: what is known of it, as its publisher gave it. */
function addLinkDistribution(g: GraphBuilder, c: FormatContext, x: DerivedDataset, l: DerivedLink): NamedNode {
  const dist = g.node(l.uri);
  g.type(dist, v('dcat', 'Distribution'));
  g.text(dist, v('dct', 'title'), l.title, 'vi');
  if (l.description.trim()) g.text(dist, v('dct', 'description'), l.description.trim(), 'vi');
  const url = g.node(l.url);
  g.add(dist, v('dcat', 'accessURL'), url);
  g.add(dist, v('dcat', 'downloadURL'), url);
  if (l.mediaType) g.concept(dist, v('dcat', 'mediaType'), g.profile.mediaType(l.mediaType));
  const fileType = l.format ? g.profile.fileType(l.format.toUpperCase()) : null;
  if (fileType) g.concept(dist, v('dct', 'format'), fileType);
  if (l.size !== null) g.typed(dist, v('dcat', 'byteSize'), String(l.size), v('xsd', 'nonNegativeInteger'));
  if (l.sha256) {
    const checksum = g.blank('checksum', l.uri, 'link');
    g.type(checksum, v('spdx', 'Checksum'));
    g.concept(checksum, v('spdx', 'algorithm'), g.profile.sha256);
    g.typed(checksum, v('spdx', 'checksumValue'), l.sha256, v('xsd', 'hexBinary'));
    g.add(dist, v('spdx', 'checksum'), checksum);
  }
  if (x.licence) g.add(dist, v('dct', 'license'), addLicence(g, c, x.licence.url));
  return dist;
}

/** Adds one dataset with its distributions, publisher, contact point, themes and coverage; returns its node. */
export function addDataset(g: GraphBuilder, c: FormatContext, x: DerivedDataset): NamedNode {
  const p = g.profile;
  const ds = g.node(x.uri);
  const id = x.d.id;
  g.type(ds, v('dcat', 'Dataset'));
  g.text(ds, v('dct', 'title'), x.title, 'vi');
  g.text(ds, v('dct', 'description'), x.notes, 'vi');
  for (const k of x.keywords) g.text(ds, v('dcat', 'keyword'), k, 'vi');
  g.text(ds, v('dct', 'identifier'), x.identifier);
  g.date(ds, v('dct', 'issued'), x.issued);
  g.date(ds, v('dct', 'modified'), x.modified);
  g.text(ds, v('dcat', 'version'), x.version);
  g.text(ds, v('owl', 'versionInfo'), x.version);
  g.text(ds, v('adms', 'versionNotes'), x.versionNote, 'vi');
  const page = g.node(x.landingPage);
  g.add(ds, v('dcat', 'landingPage'), page);
  g.type(page, v('foaf', 'Document'));
  g.concept(ds, v('dct', 'language'), p.language('vi'));
  g.concept(ds, v('dct', 'accessRights'), p.publicAccess);
  if (x.frequency) g.concept(ds, v('dct', 'accrualPeriodicity'), p.frequency(x.frequency));

  g.add(ds, v('dct', 'publisher'), addAgent(g, x.publisher));

  const contact = g.blank('contact', id);
  g.type(contact, v('vcard', 'Kind'));
  g.text(contact, v('vcard', 'fn'), x.contact.name, 'vi');
  const email = validEmail(x.contact.email);
  if (email) g.add(contact, v('vcard', 'hasEmail'), g.node(`mailto:${email}`));
  g.add(ds, v('dcat', 'contactPoint'), contact);

  for (const t of x.topics) {
    for (const theme of p.themes(t.id)) g.concept(ds, v('dcat', 'theme'), theme);
    const topic = g.node(t.uri);
    g.add(ds, v('dcat', 'theme'), topic);
    g.type(topic, v('skos', 'Concept'));
    g.texts(topic, v('skos', 'prefLabel'), { vi: t.title, en: t.titleEn });
    g.add(topic, v('skos', 'inScheme'), addTopicScheme(g, c));
  }

  if (x.temporal) {
    const period = g.blank('temporal', id);
    g.type(period, v('dct', 'PeriodOfTime'));
    g.date(period, v('dcat', 'startDate'), x.temporal.start);
    g.date(period, v('dcat', 'endDate'), x.temporal.end);
    g.add(ds, v('dct', 'temporal'), period);
  }
  if (x.spatial?.trim()) g.add(ds, v('dct', 'spatial'), addPlace(g, x.spatial, id));
  if (x.d.source?.trim()) {
    const provenance = g.blank('provenance', id);
    g.type(provenance, v('dct', 'ProvenanceStatement'));
    g.text(provenance, v('rdfs', 'label'), x.d.source, 'vi');
    g.add(ds, v('dct', 'provenance'), provenance);
  }
  for (const f of x.downloads) g.add(ds, v('dcat', 'distribution'), addDistribution(g, c, x, f));
  for (const l of x.links) g.add(ds, v('dcat', 'distribution'), addLinkDistribution(g, c, x, l));
  return ds;
}

function addPlace(g: GraphBuilder, name: string, owner: string): BlankNode {
  const place = g.blank('spatial', owner);
  g.type(place, v('dct', 'Location'));
  g.text(place, v('skos', 'prefLabel'), name, 'vi');
  return place;
}

/** Paging of a catalogue page, as ckanext-dcat writes it (processors.py `_add_pagination_triples`): the page's URL is a hydra:PagedCollection; the links are literals, under the current and the deprecated Hydra names. */
export interface PageInfo {
  current: string; first: string; last: string; next: string | null; previous: string | null;
  totalItems: number; itemsPerPage: number;
}

export function addPaging(g: GraphBuilder, page: PageInfo): void {
  const node = g.node(page.current);
  g.type(node, v('hydra', 'PagedCollection'));
  const links: [keyof PageInfo, string[]][] = [
    ['next', ['nextPage', 'next']], ['previous', ['previousPage', 'previous']],
    ['first', ['firstPage', 'first']], ['last', ['lastPage', 'last']],
  ];
  for (const [key, names] of links) {
    const value = page[key];
    if (typeof value === 'string') for (const n of names) g.text(node, v('hydra', n), value);
  }
  g.typed(node, v('hydra', 'totalItems'), String(page.totalItems), v('xsd', 'integer'));
  g.typed(node, v('hydra', 'itemsPerPage'), String(page.itemsPerPage), v('xsd', 'integer'));
}

/** Dates of the catalogue as a whole: first publication and last change of any dataset in it. */
export interface CatalogDates { issued: string | null; modified: string | null }

/** The fields dates and page order need, which full datasets and the catalogue's summaries both have. */
export type DatasetDates = Pick<SnapshotDataset, 'slug' | 'publishedAt' | 'modifiedAt'> & { createdAt?: string };

/** first publication: publishedAt (always set once published), else created, else last modified */
export const issuedOf = (d: DatasetDates): string => d.publishedAt ?? d.createdAt ?? d.modifiedAt;

export function catalogDates(c: FormatContext, datasets: DatasetDates[]): CatalogDates {
  let issued: string | null = null;
  let modified: string | null = null;
  for (const d of datasets) {
    const i = issuedOf(d);
    if (!issued || i < issued) issued = i;
    if (!modified || d.modifiedAt > modified) modified = d.modifiedAt;
  }
  return { issued: c.portal.issued ?? issued, modified: modified ?? c.catalog.generatedAt };
}

/** Adds the catalogue node (title, publisher, homepage, languages, themes…) and links it to `datasets`. */
export function addCatalog(g: GraphBuilder, c: FormatContext, dates: CatalogDates, datasets: NamedNode[]): NamedNode {
  const cat = g.node(uris.catalog(c));
  g.type(cat, v('dcat', 'Catalog'));
  g.texts(cat, v('dct', 'title'), { vi: c.portal.title.vi, en: c.portal.title.en });
  g.texts(cat, v('dct', 'description'), { vi: c.portal.description.vi, en: c.portal.description.en });
  const home = g.node(uris.homepage(c));
  g.add(cat, v('foaf', 'homepage'), home);
  g.type(home, v('foaf', 'Document'));
  g.concept(cat, v('dct', 'language'), g.profile.language('vi'));
  g.date(cat, v('dct', 'issued'), dates.issued);
  g.date(cat, v('dct', 'modified'), dates.modified);
  if (c.portal.metadataLicence) g.add(cat, v('dct', 'license'), addLicence(g, c, c.portal.metadataLicence));
  if (c.portal.spatial?.trim()) g.add(cat, v('dct', 'spatial'), addPlace(g, c.portal.spatial, 'catalog'));
  for (const scheme of g.profile.themeTaxonomies) g.concept(cat, v('dcat', 'themeTaxonomy'), scheme);
  g.add(cat, v('dcat', 'themeTaxonomy'), addTopicScheme(g, c));

  const operator = c.portal.operator ? c.catalog.organizations.find((o) => o.slug === c.portal.operator) : undefined;
  if (operator) g.add(cat, v('dct', 'publisher'), addAgent(g, deriveAgent(c, operator.slug, operator.title)));
  else {
    // no unit named as the portal's operator: the publisher is the portal itself, by name
    const agent = g.blank('catalog-publisher');
    g.type(agent, v('foaf', 'Agent'));
    g.texts(agent, v('foaf', 'name'), { vi: c.portal.title.vi, en: c.portal.title.en });
    g.add(cat, v('dct', 'publisher'), agent);
  }
  for (const d of datasets) g.add(cat, v('dcat', 'dataset'), d);
  return cat;
}

/** One dataset as DCAT: the quads of `/dataset/<slug>.<ttl|jsonld|rdf>`. */
export function datasetQuads(d: SnapshotDataset, c: FormatContext, profile: DcatProfile = DCAT_AP_3): Quad[] {
  const g = new GraphBuilder(profile);
  addDataset(g, c, deriveDataset(d, c));
  return g.quads();
}

/** The catalogue node and what it refers to, listing these datasets (without describing them). */
export function catalogHeadQuads(c: FormatContext, datasets: SnapshotDataset[], opts: { dates: CatalogDates; profile?: DcatProfile }): Quad[] {
  const g = new GraphBuilder(opts.profile ?? DCAT_AP_3);
  addCatalog(g, c, opts.dates, datasets.map((d) => g.node(uris.dataset(c, d.slug))));
  return g.quads();
}

/** A catalogue page as one graph: the catalogue, these datasets in full, and (when given) its Hydra paging. */
export function catalogQuads(c: FormatContext, datasets: SnapshotDataset[], opts: { dates: CatalogDates; page?: PageInfo; profile?: DcatProfile }): Quad[] {
  const profile = opts.profile ?? DCAT_AP_3;
  return mergeQuads(catalogHeadQuads(c, datasets, opts), opts.page ? pagingQuads(opts.page) : [], ...datasets.map((d) => datasetQuads(d, c, profile)));
}

/** The Hydra paging quads alone (a page's graph is the same in every format but for these). */
export function pagingQuads(page: PageInfo): Quad[] {
  const g = new GraphBuilder();
  addPaging(g, page);
  return g.quads();
}

