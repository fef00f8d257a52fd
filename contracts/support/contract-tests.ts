import type { Row } from '../../fixtures/catalog/model.ts';
import { grepMatcher, selectionOfRun } from '../../fixtures/playwright/grep.ts';
import { type ContractCheck, rowDetails, rowTitle } from './catalog-rows.ts';
import type { PactKind } from './participants.ts';

/** A contract test of a row: its Playwright project, its spec file (from the project root), its requirement and check. */
export interface ContractTest {
  project: 'contracts-consumer' | 'contracts-provider';
  file: string;
  requirement: string;
  check: ContractCheck;
}

/** The per-row contract tests, consumer and provider, of each pact: what their specs declare, and a slice reads. */
export const contractTests = {
  http: {
    consumer: {
      project: 'contracts-consumer',
      file: 'contracts/consumer/http.consumer.spec.ts',
      requirement: 'HTTP contract of the consumer',
      check: 'contract-consumer',
    },
    provider: {
      project: 'contracts-provider',
      file: 'contracts/provider/http.provider.spec.ts',
      requirement: 'HTTP contract verified on the provider',
      check: 'contract-provider',
    },
  },
  events: {
    consumer: {
      project: 'contracts-consumer',
      file: 'contracts/consumer/events.consumer.spec.ts',
      requirement: 'event contract of the consumer',
      check: 'event-contract-consumer',
    },
    provider: {
      project: 'contracts-provider',
      file: 'contracts/provider/events.provider.spec.ts',
      requirement: 'event contract verified on the provider',
      check: 'event-contract-provider',
    },
  },
} as const satisfies Record<PactKind, Record<'consumer' | 'provider', ContractTest>>;

/** The title and details (tags, annotations) a contract test of `row` is declared with: `test(...declaration(row, t), fn)`. */
export const declaration = (row: Row, contract: ContractTest) =>
  [rowTitle(row, contract.requirement), rowDetails(row, contract.check)] as const;

/**
 * The line Playwright's --grep matches for a contract test of `row`: project, spec file, title, tags, joined by
 * spaces (Playwright's grep title path: `contracts-provider contracts/provider/http.provider.spec.ts TD448 row 5 · … @contract-provider @row-5`).
 */
export function grepLine(row: Row, contract: ContractTest): string {
  const [title, details] = declaration(row, contract);
  return [contract.project, contract.file, title, ...details.tag].join(' ');
}

/**
 * The rows whose consumer contract of `kind` the run plays (each writes the row's pact): every row of `rows`, or,
 * in a sliced run (`grep`: npm start's TD448_SELECTION, or the --grep of a bare `playwright test`, read where the
 * runner collects the tests; a worker runs only the tests the runner chose), those whose consumer or provider test the selection matches. Playwright runs the consumer project whole
 * as the provider verification's dependency whatever --grep says; declaring only these rows spares a one-row slice
 * the other rows' consumer contracts, and each selected provider test still finds its row's pact.
 */
export function rowsToPlay(kind: PactKind, rows: readonly Row[], grep = selectionOfRun()): Row[] {
  if (!grep) return [...rows];
  const matches = grepMatcher(grep);
  const { consumer, provider } = contractTests[kind];
  return rows.filter((row) => matches(grepLine(row, consumer)) || matches(grepLine(row, provider)));
}
