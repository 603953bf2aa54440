/**
 * JSON already serialised, to be placed as is inside a larger answer: a package dict is written once
 * per snapshot and reused by every package_show and package_search that returns it (serialising the
 * same dicts again was most of package_search's time in bench:api).
 */
let splicing: string[] | null = null;

export class RawJson {
  readonly json: string;
  constructor(json: string) { this.json = json; }
  /** inside stringifyWithRaw: a token to replace; elsewhere (tests, logs): the value itself */
  toJSON(): unknown {
    if (!splicing) return JSON.parse(this.json);
    splicing.push(this.json);
    return `\u0000raw:${splicing.length - 1}\u0000`;
  }
}

/** JSON.stringify that writes RawJson values verbatim (synchronous, so the tokens cannot mix). */
export function stringifyWithRaw(value: unknown): string {
  const raws: string[] = [];
  splicing = raws;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    splicing = null;
  }
  if (!raws.length) return text;
  return text.replace(/"\\u0000raw:(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}
