import { defineAction, Dispatcher, type ActionDef, type Services } from './dispatcher.ts';
import { rules } from './auth.ts';
import { NotFound } from './errors.ts';
import { z } from './params.ts';
import * as read from './read.ts';
import * as search from './search.ts';
import * as packages from './packages.ts';
import * as organizations from './organizations.ts';
import * as accounts from './accounts.ts';
import * as workspace from './workspace.ts';
import * as mirror from './mirror.ts';

export { Dispatcher, UnknownAction, type Services, type ActionRun } from './dispatcher.ts';
export { ANONYMOUS, systemCaller, type Caller } from './auth.ts';
export { ActionError, NotAuthorized, NotFound, SearchQueryError, ValidationError } from './errors.ts';
export { UploadedFile } from './upload.ts';

const CATALOGUE: ActionDef[] = [
  ...Object.values(read), ...Object.values(search), ...Object.values(packages), ...Object.values(organizations),
  ...Object.values(accounts), ...Object.values(workspace), ...Object.values(mirror),
] as ActionDef[];

/** help_show: what an action does, from its own definition (CKAN returns the action's docstring). */
const helpShow = defineAction({
  name: 'help_show', write: false, auth: rules.anyone,
  help: 'Mô tả của một thao tác (name). / What an action does.',
  input: z.object({ name: z.string().min(1).max(100) }).strict(),
  async handler(_run, input) {
    const def = ALL.find((a) => a.name === input.name);
    if (!def) throw new NotFound(`Not found: Action ${input.name.slice(0, 60)}`, 'action-not-found');
    return `${def.name} (${def.write ? 'ghi — POST, cần mã truy cập' : 'đọc — GET hoặc POST'})\n\n${def.help}`;
  },
});

const ALL: ActionDef[] = [...CATALOGUE, helpShow as ActionDef];

/** Every action of the catalogue behind one dispatcher. */
export function createDispatcher(services: Services): Dispatcher {
  return new Dispatcher(services, ALL);
}
