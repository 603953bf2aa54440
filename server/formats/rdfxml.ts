/**
 * A small RDF/XML writer for RDF/JS quads (default graph only), in the flat "striped" form: one
 * rdf:Description per subject (rdf:about or rdf:nodeID), one property element per triple, objects
 * as rdf:resource / rdf:nodeID or as text with xml:lang or rdf:datatype.
 *
 * Why our own: of the npm serialisers checked (Nov 2026), rdflib 2.4.0 (maintained) wrote invalid
 * RDF/XML for a blank node holding another blank node (an rdf:Description inside a
 * parseType="Resource" property, which rdfxml-streaming-parser rejects) and declares stray runtime
 * dependencies ("package.json", "package-lock.json"); @graphy/content.xml.scribe works but graphy has
 * had no release or maintainer activity for years. The striped form needs no more than this file,
 * and test/formats-dcat.test.ts parses everything it writes back with rdfxml-streaming-parser.
 */
import type { Quad, Term } from '@rdfjs/types';
import { NS } from './vocab.ts';

const RDF = NS.rdf;
const XSD_STRING = `${NS.xsd}string`;
const LANG_STRING = `${RDF}langString`;

/** An XML NCName, ASCII only (every vocabulary the mapping uses has ASCII local names). */
const NCNAME_TAIL = /[A-Za-z_][A-Za-z0-9_.-]*$/;
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&#13;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[ch]!);
}

/** Characters XML 1.0 cannot carry at all, not even as character references. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function toRdfXml(quads: Iterable<Quad>, prefixes: Record<string, string> = {}): string {
  const nsPrefix = new Map<string, string>(); // namespace → prefix, in order of first use
  const known = new Map(Object.entries(prefixes).map(([p, ns]) => [ns, p]));
  known.set(RDF, 'rdf');
  nsPrefix.set(RDF, 'rdf');
  const taken = new Set(['rdf', 'xml']);
  let generated = 0;
  const qname = (iri: string): string => {
    const m = NCNAME_TAIL.exec(iri);
    if (!m || m.index === 0) throw new Error(`RDF/XML cannot name the property ${iri}`);
    const ns = iri.slice(0, m.index);
    let p = nsPrefix.get(ns);
    if (!p) {
      p = known.get(ns);
      if (!p || taken.has(p) || !NCNAME.test(p)) {
        do p = `ns${++generated}`; while (taken.has(p));
      }
      nsPrefix.set(ns, p);
      taken.add(p);
    }
    return `${p}:${m[0]}`;
  };
  const nodeIds = new Map<string, string>(); // blank node label → rdf:nodeID (an NCName)
  const usedIds = new Set<string>();
  const nodeId = (label: string): string => {
    let id = nodeIds.get(label);
    if (!id) {
      id = NCNAME.test(label) ? label : `b${nodeIds.size}`;
      while (usedIds.has(id)) id = `b${nodeIds.size}_${id}`;
      nodeIds.set(label, id);
      usedIds.add(id);
    }
    return id;
  };
  const subjectAttr = (t: Term): string => {
    if (t.termType === 'NamedNode') return `rdf:about="${escapeAttr(t.value)}"`;
    if (t.termType === 'BlankNode') return `rdf:nodeID="${nodeId(t.value)}"`;
    throw new Error(`RDF/XML: a ${t.termType} cannot be a subject`);
  };

  // group by subject, keeping the order of first appearance
  const bySubject = new Map<string, { subject: Term; quads: Quad[] }>();
  for (const q of quads) {
    if (q.graph.termType !== 'DefaultGraph') throw new Error('RDF/XML holds one graph: named graphs are not supported');
    const key = `${q.subject.termType}:${q.subject.value}`;
    let entry = bySubject.get(key);
    if (!entry) bySubject.set(key, (entry = { subject: q.subject, quads: [] }));
    entry.quads.push(q);
  }

  const body: string[] = [];
  for (const { subject, quads: qs } of bySubject.values()) {
    body.push(`  <rdf:Description ${subjectAttr(subject)}>`);
    for (const q of qs) {
      if (q.predicate.termType !== 'NamedNode') throw new Error('RDF/XML: a predicate must be an IRI');
      const name = qname(q.predicate.value);
      const o = q.object;
      if (o.termType === 'NamedNode') body.push(`    <${name} rdf:resource="${escapeAttr(o.value)}"/>`);
      else if (o.termType === 'BlankNode') body.push(`    <${name} rdf:nodeID="${nodeId(o.value)}"/>`);
      else if (o.termType === 'Literal') {
        if (NOT_XML.test(o.value)) throw new Error(`RDF/XML cannot carry this literal (a character XML 1.0 forbids): ${JSON.stringify(o.value.slice(0, 40))}`);
        const attr = o.language
          ? ` xml:lang="${escapeAttr(o.language)}"`
          : o.datatype.value !== XSD_STRING && o.datatype.value !== LANG_STRING ? ` rdf:datatype="${escapeAttr(o.datatype.value)}"` : '';
        body.push(`    <${name}${attr}>${escapeText(o.value)}</${name}>`);
      } else throw new Error(`RDF/XML: a ${o.termType} cannot be an object`);
    }
    body.push('  </rdf:Description>');
  }
  const xmlns = [...nsPrefix].map(([ns, p]) => `\n    xmlns:${p}="${escapeAttr(ns)}"`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF${xmlns}>\n${body.join('\n')}${body.length ? '\n' : ''}</rdf:RDF>\n`;
}
