import { v } from '../vocab.ts';
import type { ConceptInfo, DcatProfile, SchemeInfo } from './profile.ts';

/** The EU Publications Office authority tables (the "MDR" vocabularies DCAT-AP refers to). */
const EU = 'http://publications.europa.eu/resource/authority/';
const ADMS_LICENCE_TYPE = 'http://purl.org/adms/licencetype/';
const ADMS_PUBLISHER_TYPE = 'http://purl.org/adms/publishertype/';
const IANA_MEDIA_TYPES = 'https://www.iana.org/assignments/media-types/';

/** Portal topic → EU data theme(s). "Năng lượng và hạ tầng" spans energy and transport infrastructure, so it maps to both. */
const THEMES: Record<string, string[]> = {
  'hanh-chinh': ['GOVE'],
  'dia-phuong': ['REGI'],
  'kinh-te': ['ECON'],
  'tai-chinh': ['ECON'],
  'giao-duc': ['EDUC'],
  'y-te': ['HEAL'],
  'lao-dong': ['SOCI'],
  'moi-truong': ['ENVI'],
  'nong-nghiep': ['AGRI'],
  'nang-luong-ha-tang': ['ENER', 'TRAN'],
  'xa-hoi': ['SOCI'],
  'khoa-hoc-cong-nghe': ['TECH'],
  'van-hoa-du-lich': ['EDUC'],
};

/** The EU data theme labels (English, as the authority table gives them). */
const THEME_LABELS: Record<string, string> = {
  AGRI: 'Agriculture, fisheries, forestry and food',
  ECON: 'Economy and finance',
  EDUC: 'Education, culture and sport',
  ENER: 'Energy',
  ENVI: 'Environment',
  GOVE: 'Government and public sector',
  HEAL: 'Health',
  INTR: 'International issues',
  JUST: 'Justice, legal system and public safety',
  REGI: 'Regions and cities',
  SOCI: 'Population and society',
  TECH: 'Science and technology',
  TRAN: 'Transport',
};

/** Format names the portal uses → the EU file-type table's codes (NDJSON has none: it gets a label instead). */
const FILE_TYPES: Record<string, string> = { CSV: 'CSV', TSV: 'TSV', XLSX: 'XLSX', XLS: 'XLS', ODS: 'ODS', JSON: 'JSON', XML: 'XML' };

const LICENCE_TYPES: Record<string, string> = { 'CC-BY-4.0': 'Attribution', 'ODC-BY-1.0': 'Attribution', MIT: 'Attribution', 'CC0-1.0': 'PublicDomain' };
const LICENCE_TYPE_LABELS: Record<string, string> = { Attribution: 'Attribution', PublicDomain: 'Public domain' };
const PUBLISHER_TYPE_LABELS: Record<string, string> = { RegionalAuthority: 'Regional authority', LocalAuthority: 'Local authority', NationalAuthority: 'National authority' };

const LANGUAGES: Record<string, string> = { vi: 'VIE', en: 'ENG' };

/** A registered IANA media type (no `x-` subtype, which IANA does not register). */
const REGISTERED_MEDIA_TYPE = /^(application|audio|font|image|message|model|multipart|text|video)\/(?!x-)[a-z0-9][a-z0-9!#$&^_.+-]*$/;

const SCHEMES: Record<string, SchemeInfo> = {
  [`${EU}data-theme`]: { titles: { en: 'Data theme' } },
  [`${ADMS_PUBLISHER_TYPE}1.0`]: { titles: { en: 'Publisher type' } },
};

function concept(iri: string): ConceptInfo | undefined {
  const under = (ns: string) => (iri.startsWith(ns) ? iri.slice(ns.length) : null);
  let code: string | null;
  if ((code = under(`${EU}frequency/`))) return { types: [v('dct', 'Frequency')], scheme: `${EU}frequency` };
  if ((code = under(`${EU}language/`))) return { types: [v('dct', 'LinguisticSystem')], scheme: `${EU}language` };
  if ((code = under(`${EU}file-type/`))) return { types: [v('dct', 'MediaTypeOrExtent')], scheme: `${EU}file-type` };
  if ((code = under(`${EU}data-theme/`)) && THEME_LABELS[code]) return { types: [v('skos', 'Concept')], scheme: `${EU}data-theme`, labels: { en: THEME_LABELS[code] } };
  if (iri === `${EU}access-right/PUBLIC`) return { types: [v('skos', 'Concept'), v('dct', 'RightsStatement')], scheme: `${EU}access-right`, labels: { en: 'public' } };
  if (iri === `${EU}planned-availability/STABLE`) return { types: [v('skos', 'Concept')], scheme: `${EU}planned-availability`, labels: { en: 'stable' } };
  if ((code = under(ADMS_LICENCE_TYPE)) && LICENCE_TYPE_LABELS[code]) return { types: [v('skos', 'Concept')], scheme: `${ADMS_LICENCE_TYPE}1.0`, labels: { en: LICENCE_TYPE_LABELS[code] } };
  if ((code = under(ADMS_PUBLISHER_TYPE)) && PUBLISHER_TYPE_LABELS[code]) return { types: [v('skos', 'Concept')], scheme: `${ADMS_PUBLISHER_TYPE}1.0`, labels: { en: PUBLISHER_TYPE_LABELS[code] } };
  if (under(IANA_MEDIA_TYPES)) return { types: [v('dct', 'MediaType')] };
  if (iri === v('spdx', 'checksumAlgorithm_sha256')) return { types: [v('spdx', 'ChecksumAlgorithm')] };
  return undefined;
}

/** DCAT-AP 3.0.1 with the EU controlled vocabularies: what data.europa.eu and ckanext-dcat's `euro_dcat_ap_3` expect. */
export const DCAT_AP_3: DcatProfile = {
  id: 'euro_dcat_ap_3',
  title: 'DCAT-AP 3.0.1',
  specification: 'http://data.europa.eu/r5r/',
  language: (tag) => (LANGUAGES[tag] ? `${EU}language/${LANGUAGES[tag]}` : null),
  // the catalogue's frequencies carry their EU frequency IRI already (server/catalog/vocabularies.ts)
  frequency: (f) => (f.dcat.startsWith(`${EU}frequency/`) ? f.dcat : null),
  fileType: (format) => (FILE_TYPES[format.toUpperCase()] ? `${EU}file-type/${FILE_TYPES[format.toUpperCase()]}` : null),
  mediaType: (mt) => {
    const t = mt.split(';')[0]!.trim().toLowerCase();
    return REGISTERED_MEDIA_TYPE.test(t) ? IANA_MEDIA_TYPES + t : null;
  },
  themes: (topicId) => (THEMES[topicId] ?? []).map((code) => `${EU}data-theme/${code}`),
  themeTaxonomies: [`${EU}data-theme`],
  licenceType: (l) => (LICENCE_TYPES[l.id] ? ADMS_LICENCE_TYPE + LICENCE_TYPES[l.id] : null),
  // every unit of the portal is a unit of the province (sở, ban, ngành); the snapshot does not yet say
  // which are communes (LocalAuthority)
  publisherType: () => `${ADMS_PUBLISHER_TYPE}RegionalAuthority`,
  publicAccess: `${EU}access-right/PUBLIC`,
  availability: `${EU}planned-availability/STABLE`,
  sha256: v('spdx', 'checksumAlgorithm_sha256'),
  concept,
  scheme: (iri) => SCHEMES[iri],
};
