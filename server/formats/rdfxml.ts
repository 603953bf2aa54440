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

const RDF: string = NS.rdf;
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

/** `<?xml …?><rdf:RDF xmlns:…>` declaring rdf: and every prefix given. */
export function rdfXmlHead(prefixes: Record<string, string> = {}): string {
  const declared = Object.entries({ rdf: RDF, ...prefixes }).filter(([p, ns], i, all) => NCNAME.test(p) && p !== 'xml' && all.findIndex(([, n]) => n === ns) === i);
  return `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF${declared.map(([p, ns]) => `\n    xmlns:${p}="${escapeAttr(ns)}"`).join('')}>\n`;
}

export const RDF_XML_TAIL = '</rdf:RDF>\n';

/**
 * The rdf:Description elements of `quads`, for a document whose root declares `prefixes` (see
 * rdfXmlHead): a property in another namespace declares it on its own element. Bodies of several
 * graphs can be concatenated inside one root (their union; blank node labels must not clash).
 */
export function rdfXmlBody(quads: Iterable<Quad>, prefixes: Record<string, string> = {}): string {
  const declared = new Map(Object.entries({ rdf: RDF, ...prefixes }).filter(([p]) => NCNAME.test(p) && p !== 'xml').map(([p, ns]) => [ns, p]));
  const element = (iri: string): { name: string; xmlns: string } => {
    const m = NCNAME_TAIL.exec(iri);
    if (!m || m.index === 0) throw new Error(`RDF/XML cannot name the property ${iri}`);
    const ns = iri.slice(0, m.index);
    const p = declared.get(ns);
    return p ? { name: `${p}:${m[0]}`, xmlns: '' } : { name: `ns0:${m[0]}`, xmlns: ` xmlns:ns0="${escapeAttr(ns)}"` };
  };
  const nodeIds = new Map<string, string>(); // blank node label → rdf:nodeID (an NCName)
  const usedIds = new Set<string>();
  const nodeId = (label: string): string => {
    let id = nodeIds.get(label);
    if (!id) {
      id = NCNAME.test(label) ? label : `b_${label.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      while (usedIds.has(id)) id = `${id}_`;
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

  const out: string[] = [];
  for (const { subject, quads: qs } of bySubject.values()) {
    out.push(`  <rdf:Description ${subjectAttr(subject)}>\n`);
    for (const q of qs) {
      if (q.predicate.termType !== 'NamedNode') throw new Error('RDF/XML: a predicate must be an IRI');
      const { name, xmlns } = element(q.predicate.value);
      const o = q.object;
      if (o.termType === 'NamedNode') out.push(`    <${name}${xmlns} rdf:resource="${escapeAttr(o.value)}"/>\n`);
      else if (o.termType === 'BlankNode') out.push(`    <${name}${xmlns} rdf:nodeID="${nodeId(o.value)}"/>\n`);
      else if (o.termType === 'Literal') {
        if (NOT_XML.test(o.value)) throw new Error(`RDF/XML cannot carry this literal (a character XML 1.0 forbids): ${JSON.stringify(o.value.slice(0, 40))}`);
        const attr = o.language
          ? ` xml:lang="${escapeAttr(o.language)}"`
          : o.datatype.value !== XSD_STRING && o.datatype.value !== LANG_STRING ? ` rdf:datatype="${escapeAttr(o.datatype.value)}"` : '';
        out.push(`    <${name}${xmlns}${attr}>${escapeText(o.value)}</${name}>\n`);
      } else throw new Error(`RDF/XML: a ${o.termType} cannot be an object`);
    }
    out.push('  </rdf:Description>\n');
  }
  return out.join('');
}

export function toRdfXml(quads: Iterable<Quad>, prefixes: Record<string, string> = {}): string {
  return rdfXmlHead(prefixes) + rdfXmlBody(quads, prefixes) + RDF_XML_TAIL;
}
