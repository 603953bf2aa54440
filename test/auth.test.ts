import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema, type Database } from '../server/db/index.ts';
import { authenticateToken } from '../server/auth/accounts.ts';
import { hashPassword, verifyPassword } from '../server/auth/passwords.ts';
import { ANONYMOUS, NotAuthorized, NotFound, type Caller } from '../server/actions/index.ts';
import { databases } from './helpers/databases.ts';
import { account, publishCsv, testCatalog, unit, type TestCatalog } from './helpers/catalog.ts';

describe('passwords', () => {
  it('are stored as salted scrypt hashes and verified in constant time', async () => {
    const h = await hashPassword('mật khẩu đủ dài 2026');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(h).not.toContain('mật khẩu');
    expect(await hashPassword('mật khẩu đủ dài 2026')).not.toBe(h);
    expect(await verifyPassword('mật khẩu đủ dài 2026', h)).toBe(true);
    expect(await verifyPassword('mật khẩu đủ dài 2026'.normalize('NFD'), h)).toBe(true); // typed on another keyboard
    expect(await verifyPassword('mat khau du dai 2026', h)).toBe(false);
    expect(await verifyPassword('x', null)).toBe(false);
  });
});

for (const target of databases) {
  describe(`accounts, tokens and the authorisation rules on ${target.name}`, () => {
    let database: Database;
    let c: TestCatalog;
    let orgA: string;
    beforeAll(async () => {
      database = await target.open();
      c = testCatalog(database);
      orgA = await unit(c, 'so-y-te', 'Sở Y tế');
      await unit(c, 'so-xay-dung', 'Sở Xây dựng');
      await publishCsv(c, { slug: 'thuoc-a', org: 'so-y-te', csv: 'Tên,Số\nA,1\n' });
      await publishCsv(c, { slug: 'nha-b', org: 'so-xay-dung', csv: 'Tên,Số\nB,1\n' });
    });
    afterAll(async () => { await database?.close(); });

    it('lets an editor of unit A write only unit A, a member nothing, the admin everything, anonymous nothing', async () => {
      const who: Record<string, Caller> = {
        admin: await c.as(await account(c, { name: 'sokhcn.admin', password: 'quan-tri-vien-2026!', sysadmin: true })),
        editorA: await c.as(await account(c, { name: 'syt.bientap', password: 'bien-tap-vien-2026!', unit: 'so-y-te' })),
        memberB: await c.as(await account(c, { name: 'sxd.xem', password: 'thanh-vien-2026!!', unit: 'so-xay-dung', capacity: 'member' })),
        anonymous: ANONYMOUS,
      };
      // the rule alone (dispatcher.authorize), for each write on a dataset of A and of B
      const writes: [string, (ds: string, org: string) => Record<string, unknown>][] = [
        ['package_create', (_ds, org) => ({ owner_org: org })],
        ['package_update', (ds) => ({ id: ds })],
        ['package_patch', (ds) => ({ id: ds })],
        ['package_delete', (ds) => ({ id: ds })],
        ['resource_create', (ds) => ({ package_id: ds })],
        ['resource_update', (ds) => ({ package_id: ds })],
      ];
      const verdict = async (caller: Caller, name: string, input: Record<string, unknown>) => {
        try {
          await c.actions.authorize(name, caller, input);
          return 'ok';
        } catch (err) {
          if (err instanceof NotAuthorized) return err.signedIn ? '403' : '401';
          if (err instanceof NotFound) return '404';
          throw err;
        }
      };
      const matrix: Record<string, string[]> = {};
      for (const [name, caller] of Object.entries(who)) {
        matrix[name] = [];
        for (const [action, input] of writes) {
          matrix[name].push(`${action}:${await verdict(caller, action, input('thuoc-a', 'so-y-te'))}/${await verdict(caller, action, input('nha-b', 'so-xay-dung'))}`);
        }
      }
      expect(matrix).toEqual({
        admin: writes.map(([a]) => `${a}:ok/ok`),
        editorA: writes.map(([a]) => `${a}:ok/403`),
        memberB: writes.map(([a]) => `${a}:403/403`),
        anonymous: writes.map(([a]) => `${a}:401/401`),
      });
      for (const action of ['organization_create', 'member_create', 'user_create', 'package_reinstate', 'freshness_dashboard_show', 'sign_in_lock_list']) {
        expect(await verdict(who.editorA!, action, { id: 'so-y-te' }), action).toBe('403');
        expect(await verdict(who.admin!, action, { id: 'so-y-te' }), action).toBe('ok');
      }
      expect(orgA).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses weak passwords and taken usernames with Vietnamese messages and codes', async () => {
      await expect(account(c, { name: 'ngan', password: 'ngan' })).rejects.toMatchObject({ code: 'weak-password', message: expect.stringMatching(/ít nhất 12 ký tự/) });
      await expect(account(c, { name: 'syt.bientap', password: 'mot-mat-khau-dai' })).rejects.toMatchObject({ code: 'username-taken', message: expect.stringMatching(/đã được dùng/) });
    });

    it('stores API tokens hashed, authenticates them and stops a revoked one', async () => {
      const db = database.db;
      const [editor] = await db.select().from(schema.accounts).where(eq(schema.accounts.username, 'syt.bientap'));
      const me = await c.as(editor!.id);
      const { token } = await c.actions.call('api_token_create', me, { name: 'tải lên hằng quý' });
      const stored = await db.select().from(schema.apiTokens).where(eq(schema.apiTokens.accountId, editor!.id));
      expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(token);
      expect((await authenticateToken(db, token))?.username).toBe('syt.bientap');
      expect((await authenticateToken(db, `Bearer ${token}`))?.editorOf.has(orgA)).toBe(true);
      expect(await authenticateToken(db, token.slice(0, -1) + 'x')).toBeNull();
      expect(await authenticateToken(db, undefined)).toBeNull();
      const [other] = await db.select().from(schema.accounts).where(eq(schema.accounts.username, 'sxd.xem'));
      await expect(c.actions.call('api_token_revoke', await c.as(other!.id), { jti: stored[0]!.id })).rejects.toBeInstanceOf(NotAuthorized);
      await c.actions.call('api_token_revoke', me, { jti: stored[0]!.id });
      expect(await authenticateToken(db, token)).toBeNull();
    });
  });
}
