// Run after `npm install` changes package-lock.json: the registry mirror used here lacks some
// platform-only optional packages (e.g. @astrojs/compiler-binding-darwin-arm64), so npm leaves them
// out of the lock file and `npm ci` then refuses the lock. This adds them as platform-restricted
// optional entries, which npm ci skips on machines they are not for.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'wasm32', 's390x', 'ppc64', 'riscv64', 'loong64'];
const OS = ['android', 'darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
let added = 0;
for (const [key, entry] of Object.entries(pk)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (pk[`${key}/node_modules/${name}`] || pk[`node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.filter((p) => OS.includes(p));
    const cpu = parts.filter((p) => CPU.includes(p));
    if (!cpu.length && !os.length) continue; // not a platform package: leave it to npm
    const extra = { version, optional: true };
    if (cpu.length) extra.cpu = cpu;
    if (os.length) extra.os = os;
    if (parts.includes('gnu')) extra.libc = ['glibc'];
    if (parts.includes('musl')) extra.libc = ['musl'];
    pk[`node_modules/${name}`] = extra;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} platform-only optional entries added`);
