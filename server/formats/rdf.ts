/** Serialisations of an RDF graph (RDF/JS quads): Turtle and N-Quads (n3), JSON-LD (jsonld), RDF/XML (rdfxml.ts). */
import type { Quad } from '@rdfjs/types';
import jsonld from 'jsonld';
import { Writer } from 'n3';
import { NS } from './vocab.ts';
import { toRdfXml } from './rdfxml.ts';

export { toRdfXml };

export const PREFIXES: Record<string, string> = { ...NS };

/** Turtle with the prefixes, one block per subject (`;` between its predicates). */
export function toTurtle(quads: Quad[], prefixes: Record<string, string> = PREFIXES): string {
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

export function toNQuads(quads: Quad[]): string {
  return new Writer({ format: 'N-Quads' }).quadsToString(quads);
}

/**
 * JSON-LD compacted against the same prefixes the Turtle declares (as ckanext-dcat's JSON-LD is):
 * `{"@context": {"dct": "http://purl.org/dc/terms/", …}, "@graph": [{"@id": …, "dct:title": …}]}`.
 */
export async function toJsonLd(quads: Quad[], prefixes: Record<string, string> = PREFIXES): Promise<string> {
  const expanded = await jsonld.fromRDF(toNQuads(quads) as unknown as object, { format: 'application/n-quads' });
  const compacted = await jsonld.compact(expanded, prefixes as jsonld.ContextDefinition);
  return JSON.stringify(compacted, null, 2) + '\n';
}

/** The RDF serialisations the portal publishes, by file extension (ckanext-dcat's `/dataset/<name>.<ext>`). */
export const RDF_FORMATS = {
  ttl: { mediaType: 'text/turtle', write: async (q: Quad[]) => toTurtle(q) },
  jsonld: { mediaType: 'application/ld+json', write: (q: Quad[]) => toJsonLd(q) },
  rdf: { mediaType: 'application/rdf+xml', write: async (q: Quad[]) => toRdfXml(q, PREFIXES) },
} as const;

export type RdfFormat = keyof typeof RDF_FORMATS;
export const RDF_FORMAT_NAMES = Object.keys(RDF_FORMATS) as RdfFormat[];
