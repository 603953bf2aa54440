/**
 * Serialisations of an RDF graph (RDF/JS quads, default graph): Turtle and N-Quads with n3's Writer,
 * JSON-LD and RDF/XML written here and in rdfxml.ts. Each is a head, a body and a tail, and bodies
 * of several graphs can be joined inside one head and tail: a catalogue page is its own graph's
 * body followed by the bodies its datasets' files already hold (their union: a triple written twice,
 * such as a shared vocabulary concept, is still one triple).
 */
import type { Quad } from '@rdfjs/types';
import { Writer } from 'n3';
import { NS } from './vocab.ts';
import { RDF_XML_TAIL, rdfXmlBody, rdfXmlHead } from './rdfxml.ts';

export const PREFIXES: Record<string, string> = { ...NS };
const RDF_TYPE = `${NS.rdf}type`;
const XSD_STRING = `${NS.xsd}string`;

function turtleWrite(quads: Quad[], prefixes: Record<string, string>): string {
  const writer = new Writer({ prefixes, format: 'text/turtle' });
  writer.addQuads(quads);
  let out: string | undefined;
  let failure: Error | undefined;
  // without an output stream, n3's Writer hands the text to end()'s callback before end() returns
  writer.end((error, result: string) => {
    failure = error ?? undefined;
    out = result;
  });
  if (failure) throw failure;
  if (out === undefined) throw new Error('n3 Writer did not finish synchronously');
  return out;
}

const turtleHeads = new Map<Record<string, string>, string>();
/** the `@prefix` lines (and the blank line after them) n3's Writer starts a document with */
function turtleHead(prefixes: Record<string, string>): string {
  let head = turtleHeads.get(prefixes);
  if (head === undefined) turtleHeads.set(prefixes, (head = turtleWrite([], prefixes)));
  return head;
}

/** Turtle statements (one block per subject) using the prefixes, without the `@prefix` lines. */
function turtleBody(quads: Quad[], prefixes: Record<string, string>): string {
  const text = turtleWrite(quads, prefixes);
  const head = turtleHead(prefixes);
  if (!text.startsWith(head)) throw new Error('n3 Writer: unexpected prefix block');
  return text.slice(head.length);
}

export function toTurtle(quads: Quad[], prefixes: Record<string, string> = PREFIXES): string {
  return turtleWrite(quads, prefixes);
}

export function toNQuads(quads: Quad[]): string {
  return new Writer({ format: 'N-Quads' }).quadsToString(quads);
}

/** The node objects of a compacted, flattened JSON-LD `@graph`, one per subject, as JSON texts. */
function jsonLdNodes(quads: Quad[], prefixes: Record<string, string>): string[] {
  const byLength = Object.entries(prefixes).sort((a, b) => b[1].length - a[1].length);
  const compact = (iri: string): string => {
    for (const [p, ns] of byLength) {
      if (iri.startsWith(ns) && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(iri.slice(ns.length))) return `${p}:${iri.slice(ns.length)}`;
    }
    return iri;
  };
  const id = (t: Quad['subject'] | Quad['object']): string => (t.termType === 'BlankNode' ? `_:${t.value}` : t.value);
  const nodes = new Map<string, Record<string, unknown>>();
  for (const q of quads) {
    if (q.graph.termType !== 'DefaultGraph') throw new Error('JSON-LD output holds the default graph only');
    const s = id(q.subject);
    let node = nodes.get(s);
    if (!node) nodes.set(s, (node = { '@id': s }));
    const o = q.object;
    let key: string;
    let value: unknown;
    if (q.predicate.value === RDF_TYPE && o.termType === 'NamedNode') {
      key = '@type';
      value = compact(o.value);
    } else {
      key = compact(q.predicate.value);
      if (o.termType === 'Literal') {
        value = o.language ? { '@value': o.value, '@language': o.language }
          : o.datatype.value === XSD_STRING ? o.value : { '@value': o.value, '@type': compact(o.datatype.value) };
      } else value = { '@id': id(o) };
    }
    const had = node[key];
    node[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return [...nodes.values()].map((n) => `    ${JSON.stringify(n, null, 2).replace(/\n/g, '\n    ')}`);
}

/**
 * JSON-LD in the compacted form ckanext-dcat writes, against the same prefixes as the Turtle:
 * `{"@context": {"dct": "http://purl.org/dc/terms/", …}, "@graph": [{"@id": …, "@type": "dcat:Dataset",
 * "dct:title": {"@value": …, "@language": "vi"}, …}]}`. Written directly from the quads: jsonld.js's
 * fromRDF + compact gives the same graph but took 9 s per 1,000 datasets (about 10 ms a file)
 * against well under 1 ms here; the tests read every file back with jsonld.js.
 */
export function toJsonLd(quads: Quad[], prefixes: Record<string, string> = PREFIXES): string {
  return RDF_FORMATS.jsonld.document([RDF_FORMATS.jsonld.body(quads)], prefixes);
}

export { toRdfXml } from './rdfxml.ts';

export interface RdfSerialiser {
  mediaType: string;
  /** the statements of a graph, to go between the head and the tail */
  body(quads: Quad[], prefixes?: Record<string, string>): string;
  /** a document holding the union of the graphs whose bodies are given */
  document(bodies: string[], prefixes?: Record<string, string>): string;
  /** the whole document of one graph */
  write(quads: Quad[], prefixes?: Record<string, string>): string;
}

function serialiser(mediaType: string, body: (q: Quad[], p: Record<string, string>) => string, head: (p: Record<string, string>) => string, separator: string, tail: string): RdfSerialiser {
  const document = (bodies: string[], prefixes = PREFIXES) => head(prefixes) + bodies.filter(Boolean).join(separator) + tail;
  return {
    mediaType,
    body: (quads, prefixes = PREFIXES) => body(quads, prefixes),
    document,
    write: (quads, prefixes = PREFIXES) => document([body(quads, prefixes)], prefixes),
  };
}

/** The RDF serialisations the portal publishes, by file extension (ckanext-dcat's `/dataset/<name>.<ext>`). */
export const RDF_FORMATS = {
  ttl: serialiser('text/turtle', turtleBody, turtleHead, '', ''),
  jsonld: serialiser('application/ld+json', (q, p) => jsonLdNodes(q, p).join(',\n'),
    (p) => `{\n  "@context": ${JSON.stringify(p, null, 2).replace(/\n/g, '\n  ')},\n  "@graph": [\n`, ',\n', '\n  ]\n}\n'),
  rdf: serialiser('application/rdf+xml', rdfXmlBody, rdfXmlHead, '', RDF_XML_TAIL),
} satisfies Record<string, RdfSerialiser>;

export type RdfFormat = keyof typeof RDF_FORMATS;
export const RDF_FORMAT_NAMES = Object.keys(RDF_FORMATS) as RdfFormat[];
