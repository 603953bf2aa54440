import type { Licence, SnapshotOrganization, UpdateFrequency } from '../../contract/snapshot.ts';

/**
 * What a controlled concept is, written beside each use of it (class, scheme, label), so that a
 * consumer or validator that has not loaded the vocabulary still sees what the IRI stands for.
 */
export interface ConceptInfo {
  /** rdf:type of the concept (e.g. dct:Frequency, skos:Concept) */
  types: string[];
  /** skos:inScheme */
  scheme?: string;
  /** skos:prefLabel by language tag; required by DCAT-AP for anything typed skos:Concept */
  labels?: Record<string, string>;
}

export interface SchemeInfo {
  /** dct:title by language tag (DCAT-AP: mandatory for a skos:ConceptScheme) */
  titles: Record<string, string>;
}

/**
 * An application profile of DCAT: the vocabulary choices one national or regional profile makes.
 * The mapping (dcat.ts) writes the same graph shape for every profile; only the controlled values
 * change. DCAT-AP 3.0.1 is the default (profiles/dcat-ap-3.ts); DCAT-VN, when the national
 * specification is published, is another object of this type.
 */
export interface DcatProfile {
  /** a short name, as ckanext-dcat names its profiles (`euro_dcat_ap_3`) */
  id: string;
  title: string;
  /** IRI of the specification the output conforms to */
  specification: string;
  /** dct:language of a text language (BCP 47 tag such as `vi`) */
  language(tag: string): string | null;
  /** dct:accrualPeriodicity of an update frequency */
  frequency(f: UpdateFrequency): string | null;
  /** dct:format of a file's format name (CSV, TSV, XLSX, JSON, NDJSON): null when the vocabulary has none */
  fileType(format: string): string | null;
  /** dcat:mediaType of a media type: null when it is not a registered one */
  mediaType(mediaType: string): string | null;
  /** dcat:theme values (besides the portal's own topic) for a portal topic id */
  themes(topicId: string): string[];
  /** the concept schemes of those themes, listed as the catalogue's dcat:themeTaxonomy */
  themeTaxonomies: string[];
  /** dct:type of a licence document */
  licenceType(licence: Licence): string | null;
  /** dct:type of a publishing unit */
  publisherType(org: SnapshotOrganization | undefined): string | null;
  /** dct:accessRights of a dataset in the public catalogue */
  publicAccess: string | null;
  /** dcatap:availability of a current download */
  availability: string | null;
  /** spdx:algorithm for SHA-256 */
  sha256: string;
  /** what the profile knows about a concept or scheme IRI it uses */
  concept(iri: string): ConceptInfo | undefined;
  scheme(iri: string): SchemeInfo | undefined;
}
