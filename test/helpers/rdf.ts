/** Reading back what the DCAT serialisers wrote, comparing graphs, and SHACL validation, for the formats tests. */
import fs from 'node:fs';
import path from 'node:path';
import type { Quad } from '@rdfjs/types';
import jsonld from 'jsonld';
import { Parser, Store, Writer } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { RdfXmlParser } from 'rdfxml-streaming-parser';

export const SPECS = path.resolve(import.meta.dirname, '../../../shared/specs/dcat-ap-3.0.1');

export function parseTurtle(text: string, baseIRI?: string): Quad[] {
  return new Parser({ baseIRI }).parse(text) as Quad[];
}

export async function parseJsonLd(text: string): Promise<Quad[]> {
  const nquads = (await jsonld.toRDF(JSON.parse(text), { format: 'application/n-quads' })) as unknown as string;
  return new Parser({ format: 'N-Quads' }).parse(nquads) as Quad[];
}

export function parseRdfXml(text: string): Promise<Quad[]> {
  return new Promise((resolve, reject) => {
    const quads: Quad[] = [];
    const parser = new RdfXmlParser();
    parser.on('data', (q: Quad) => quads.push(q));
    parser.on('error', reject);
    parser.on('end', () => resolve(quads));
    parser.write(text);
    parser.end();
  });
}

/** The graph in RDF Dataset Canonicalization (RDFC-1.0) N-Quads: equal strings ⇔ isomorphic graphs. */
export async function canonical(quads: Quad[]): Promise<string> {
  // a graph is a set: a triple written twice (a catalogue page repeats shared concepts) counts once
  const nquads = new Writer({ format: 'N-Quads' }).quadsToString(new Store(quads).getQuads(null, null, null, null));
  const canonize = jsonld.canonize as unknown as (input: string, opts: object) => Promise<string>;
  return canonize(nquads, { algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', format: 'application/n-quads' });
}

const shapeCache = new Map<string, Store>();
export function shapes(...files: string[]): Store {
  const key = files.join('+');
  let store = shapeCache.get(key);
  if (!store) {
    store = new Store();
    for (const f of files) store.addQuads(parseTurtle(fs.readFileSync(path.join(SPECS, f), 'utf8')));
    shapeCache.set(key, store);
  }
  return store;
}

export interface Finding { severity: string; focus: string; path: string; message: string; shape: string; value: string }

/** Validates `quads` against the shapes in `files`; returns every result (warnings included). */
export async function validate(quads: Quad[], ...files: string[]): Promise<Finding[]> {
  const validator = new SHACLValidator(shapes(...files));
  const report = await validator.validate(new Store(quads));
  return report.results.map((r) => ({
    severity: r.severity?.value.replace('http://www.w3.org/ns/shacl#', '') ?? '',
    focus: r.focusNode?.value ?? '',
    path: r.path?.value ?? '',
    message: r.message.map((m) => m.value).join(' '),
    shape: r.sourceConstraintComponent?.value.replace('http://www.w3.org/ns/shacl#', '') ?? '',
    value: r.value?.value ?? '',
  }));
}

export const summarise = (findings: Finding[]) => findings.map((f) => `${f.severity} ${f.shape} ${f.path} @ ${f.focus}${f.value ? ` = ${f.value}` : ''}`);
