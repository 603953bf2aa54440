// Run before every test file (vitest.config.ts): its temporary folders go when it is done.
import { afterAll } from 'vitest';
import { removeTempDirs } from './fixtures.ts';

afterAll(() => removeTempDirs());
