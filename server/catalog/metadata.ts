import { checkMetadata, fromDatapackage, type DatasetMetadata, type MetadataProblem } from './fields.ts';
import { nameProblem } from './names.ts';
import { text } from './fields.ts';

export type { DatasetMetadata, MetadataProblem } from './fields.ts';

/** A data file of a datapackage.json: its resource name and the file beside the package. */
export interface ResourceSpec {
  name: string;
  path: string;
  title: string;
  description: string;
}

/**
 * Reads and checks a Frictionless-style datapackage.json with this portal's extra properties
 * (organization, topics, frequency, temporal, spatial, contact, sample), through the same field
 * table as every other entry point. Problems are in Vietnamese.
 */
export function parseDataPackage(input: unknown): { metadata?: DatasetMetadata; resources: ResourceSpec[]; problems: MetadataProblem[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { resources: [], problems: [{ field: '', code: 'not-an-object', message: 'Tệp siêu dữ liệu phải là một đối tượng JSON' }] };
  }
  const p = input as Record<string, unknown>;
  const { metadata, problems } = checkMetadata(fromDatapackage(p));
  const resources: ResourceSpec[] = [];
  if (!Array.isArray(p.resources) || p.resources.length === 0) {
    problems.push({ field: 'resources', code: 'resources-required', message: 'Bộ dữ liệu phải có ít nhất một tài nguyên (resources)' });
  } else {
    const names = new Set<string>();
    p.resources.forEach((r: any, i: number) => {
      const name = text(r?.name);
      const path = text(r?.path);
      const nameError = nameProblem('resource', name);
      if (nameError) problems.push({ field: `resources[${i}].name`, code: 'invalid-name', message: nameError });
      else if (names.has(name!)) problems.push({ field: `resources[${i}].name`, code: 'duplicate-name', message: `Tên tài nguyên "${name}" bị trùng` });
      if (!path || path.includes('/') || path.includes('\\') || path.startsWith('.')) problems.push({ field: `resources[${i}].path`, code: 'invalid-path', message: 'Đường dẫn tệp phải là tên một tệp trong cùng thư mục' });
      if (name) names.add(name);
      if (name && path) resources.push({ name, path, title: text(r.title) ?? name, description: text(r.description) ?? '' });
    });
  }
  return problems.length ? { resources, problems } : { metadata, resources, problems };
}
