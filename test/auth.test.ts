import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema, type Database } from '../server/db/index.ts';
import { authenticateToken, createAccount, createApiToken, principalOf, revokeApiToken, setMembership } from '../server/auth/accounts.ts';
import { can, type Action } from '../server/auth/authorize.ts';
import { hashPassword, verifyPassword } from '../server/auth/passwords.ts';
import { SYSTEM, upsertOrganization } from '../server/catalog/datasets.ts';
import { databases } from './helpers/databases.ts';

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
  describe(`accounts and tokens on ${target.name}`, () => {
    let database: Database;
    let orgA: string;
    let orgB: string;
    beforeAll(async () => {
      database = await target.open();
      orgA = (await upsertOrganization(database.db, { slug: 'so-y-te', title: 'Sở Y tế' }, SYSTEM)).id;
      orgB = (await upsertOrganization(database.db, { slug: 'so-xay-dung', title: 'Sở Xây dựng' }, SYSTEM)).id;
    });
    afterAll(async () => { await database?.close(); });

    it('lets an editor of unit A write only unit A, the admin everything, anonymous nothing', async () => {
      const db = database.db;
      const admin = await createAccount(db, { username: 'sokhcn.admin', displayName: 'Quản trị Sở KH&CN', password: 'quan-tri-vien-2026!', role: 'admin' }, SYSTEM);
      const editorA = await createAccount(db, { username: 'syt.bientap', displayName: 'Biên tập Sở Y tế', password: 'bien-tap-vien-2026!' }, SYSTEM);
      const memberB = await createAccount(db, { username: 'sxd.xem', displayName: 'Thành viên Sở Xây dựng', password: 'thanh-vien-2026!!' }, SYSTEM);
      await setMembership(db, editorA, 'so-y-te', 'editor', SYSTEM);
      await setMembership(db, memberB, 'so-xay-dung', 'member', SYSTEM);
      const who = { admin: await principalOf(db, admin), editorA: await principalOf(db, editorA), memberB: await principalOf(db, memberB), anonymous: null };
      const writes: Action[] = ['dataset.create', 'dataset.update', 'dataset.publish-version', 'dataset.withdraw'];
      const matrix = Object.fromEntries(Object.entries(who).map(([name, p]) => [name, writes.map((a) => [can(p, a, orgA), can(p, a, orgB)])]));
      expect(matrix).toEqual({
        admin: writes.map(() => [true, true]),
        editorA: writes.map(() => [true, false]),
        memberB: writes.map(() => [false, false]),
        anonymous: writes.map(() => [false, false]),
      });
      expect(can(who.editorA, 'organization.manage')).toBe(false);
      expect(can(who.admin, 'organization.manage')).toBe(true);
    });

    it('refuses weak passwords and taken usernames with Vietnamese messages', async () => {
      await expect(createAccount(database.db, { username: 'ngan', displayName: 'x', password: 'ngan' }, SYSTEM)).rejects.toThrow(/ít nhất 12 ký tự/);
      await expect(createAccount(database.db, { username: 'syt.bientap', displayName: 'x', password: 'mot-mat-khau-dai' }, SYSTEM)).rejects.toThrow(/đã được dùng/);
    });

    it('stores API tokens hashed, authenticates them and stops a revoked one', async () => {
      const db = database.db;
      const [editor] = await db.select().from(schema.accounts).where(eq(schema.accounts.username, 'syt.bientap'));
      const token = await createApiToken(db, editor!.id, 'tải lên hằng quý', SYSTEM);
      const stored = await db.select().from(schema.apiTokens).where(eq(schema.apiTokens.accountId, editor!.id));
      expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(token);
      expect((await authenticateToken(db, token))?.username).toBe('syt.bientap');
      expect((await authenticateToken(db, `Bearer ${token}`))?.editorOf.has(orgA)).toBe(true);
      expect(await authenticateToken(db, token.slice(0, -1) + 'x')).toBeNull();
      expect(await authenticateToken(db, undefined)).toBeNull();
      await revokeApiToken(db, stored[0]!.id, SYSTEM);
      expect(await authenticateToken(db, token)).toBeNull();
    });
  });
}
