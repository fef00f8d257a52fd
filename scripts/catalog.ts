/**
 * npm run catalog [-- --json] [-- --lint [--json]] [-- --catalog PATH]
 * Prints the parsed TD448 catalog, or its own contradictions.
 */
import { findingTitles, lintCatalog } from '../fixtures/catalog/lint.ts';
import { catalogPath, loadCatalog } from '../fixtures/catalog/load.ts';
import type { Catalog, Row } from '../fixtures/catalog/model.ts';
import { CatalogFormatError } from '../fixtures/catalog/parse.ts';
import { cliCommand } from './cli.ts';

const values = cliCommand(
  'npm run catalog --',
  'Parses the TD448 catalog and prints its rows by endpoint, method, action, result and note; --lint lists its contradictions. TD448_CATALOG=PATH also selects the document.',
  [
    'npm run catalog',
    'npm run catalog -- --lint',
    'npm run catalog -- --json > catalog.json',
    'npm run catalog -- --catalog my-catalog.txt --lint',
  ],
)
  .option('--json', 'the parsed catalog as JSON')
  .option('--lint', 'the catalog’s own contradictions, one per finding')
  .option('--catalog <path>', 'another catalog document (default: the seed, or TD448_CATALOG)')
  .parse()
  .opts<{ json?: boolean; lint?: boolean; catalog?: string }>();

function countBy(rows: readonly Row[], column: (row: Row) => string) {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(column(row), (counts.get(column(row)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

function printSummary(catalog: Catalog) {
  console.log(`TD448 catalog: ${catalog.source}`);
  console.log(`${catalog.rows.length} rows, ${catalog.operations.length} operations (endpoint × method × action)\n`);
  const columns: [string, (row: Row) => string][] = [
    ['API (endpoint)', (row) => row.endpoint],
    ['Phương thức (method)', (row) => row.method],
    ['Hành động (action)', (row) => `${row.action} [${row.actionKey}]`],
    ['Kết quả (result)', (row) => `${row.result} [${row.resultKey}]`],
    ['Ghi chú (note)', (row) => `${row.note} [${row.noteKey}]`],
  ];
  for (const [title, column] of columns) {
    console.log(title);
    for (const [value, count] of countBy(catalog.rows, column)) console.log(`  ${String(count).padStart(4)}  ${value}`);
  }
  console.log('\nPer endpoint: rows / operations');
  for (const [endpoint, rows] of countBy(catalog.rows, (row) => row.endpoint)) {
    const operations = catalog.operations.filter((operation) => operation.endpoint === endpoint).length;
    console.log(`  ${endpoint.padEnd(28)} ${String(rows).padStart(4)} / ${operations}`);
  }
}

try {
  const catalog = loadCatalog(values.catalog ?? catalogPath());
  if (values.lint) {
    const findings = lintCatalog(catalog);
    if (values.json) {
      console.log(JSON.stringify({ source: catalog.source, findings }, null, 2));
    } else {
      console.log(`${findings.length} contradictions in the catalog itself (information, not a failure):`);
      for (const [kind, title] of Object.entries(findingTitles)) {
        const ofKind = findings.filter((finding) => finding.kind === kind);
        if (ofKind.length === 0) continue;
        console.log(`\n${kind}: ${title} (${ofKind.length})`);
        for (const finding of ofKind) console.log(`  rows ${finding.rows.join(', ')}: ${finding.subject}`);
      }
    }
  } else if (values.json) {
    console.log(JSON.stringify({ source: catalog.source, rows: catalog.rows, operations: catalog.operations }, null, 2));
  } else {
    printSummary(catalog);
  }
} catch (error) {
  if (error instanceof CatalogFormatError || error instanceof Error) {
    console.error(`catalog error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
