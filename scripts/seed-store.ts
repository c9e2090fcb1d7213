/**
 * Loads the demo store catalogue into a running instance through its REST API.
 * Run: npx tsx scripts/seed-store.ts [--url http://localhost:8080]
 * Signs in with AGENTRY_ADMIN_EMAIL / AGENTRY_ADMIN_PASSWORD (a platform admin, who is also a store admin).
 */
import { DEMO_CATALOGUE, seedStore } from '@agentry/svc-store/src/seed/demo-catalogue';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--url');
  const base = (i > 0 ? process.argv[i + 1] : process.env.AGENTRY_URL) ?? 'http://localhost:8080';
  const email = process.env.AGENTRY_ADMIN_EMAIL ?? 'admin@agentry.local';
  const password = process.env.AGENTRY_ADMIN_PASSWORD;
  if (!password) throw new Error('set AGENTRY_ADMIN_PASSWORD (the store admin signs in to seed)');
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  const created = await seedStore(base, accessToken);
  console.log(`seeded ${created} listings (${DEMO_CATALOGUE.length - created} already there) into ${base}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
