/**
 * Writes docs/blocks.md from the block registry. `--check` exits 1 when the file is stale (for CI).
 * Run: npx tsx scripts/gen-block-docs.ts [--check]
 */
import { renderBlockDocs } from '@agentry/block-sdk';
import { catalogueBlocks } from '@agentry/blocks';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const target = resolve(__dirname, '..', 'docs', 'blocks.md');
const expected = renderBlockDocs(catalogueBlocks);

if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== expected) {
    console.error('docs/blocks.md is stale: run `npx tsx scripts/gen-block-docs.ts`');
    process.exit(1);
  }
  console.log(`docs/blocks.md is current (${catalogueBlocks.length} blocks)`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, expected);
  console.log(`wrote docs/blocks.md (${catalogueBlocks.length} blocks)`);
}
