import { expect, test } from '@playwright/test';
import type { Batch } from './batches.ts';
import { flakyChecks } from './flaky.ts';
import { judgeBatch, summarize } from './score.ts';

const batch: Batch = {
  defects: ['omit-allow', 'drop-event'],
  pairs: new Map([
    ['omit-allow', new Set(['1:restful', '2:restful'])],
    ['drop-event', new Set(['3:kafka'])],
  ]),
};

test.describe('the self-check’s verdicts', () => {
  test('a defect is caught when one of its pairs is red; its green pairs are named missed', () => {
    const { defects } = judgeBatch(
      batch,
      'reference',
      [
        { pair: '1:restful', outcome: 'failed', reason: 'no Allow' },
        { pair: '1:restful', outcome: 'passed' },
        { pair: '2:restful', outcome: 'passed' },
        { pair: '3:kafka', outcome: 'passed' },
      ],
      1,
    );
    expect(defects.find((verdict) => verdict.defect === 'omit-allow')).toMatchObject({
      caught: true,
      red: 1,
      missed: ['2:restful'],
      rowsRed: [1],
    });
    expect(defects.find((verdict) => verdict.defect === 'drop-event')).toMatchObject({ caught: false, missed: ['3:kafka'] });
  });

  test('a red pair no planted defect explains is a false alarm, with its message, and lowers precision', () => {
    const judged = judgeBatch(
      batch,
      'acme',
      [
        { pair: '1:restful', outcome: 'failed' },
        { pair: '2:restful', outcome: 'failed' },
        { pair: '3:kafka', outcome: 'failed' },
        { pair: '4:log', outcome: 'failed', reason: 'log entry missing' },
      ],
      1,
    );
    expect(judged.batch.falseAlarms).toEqual([{ pair: '4:log', reason: 'log entry missing' }]);
    const result = summarize(judged.defects, [judged.batch], 2);
    expect(result.mutationScore).toBe(1);
    expect(result.precision).toBe(0.75);
    expect(result.holds).toBe(false);
  });

  test('pairs the run did not select are not judged; all caught with nothing else red holds', () => {
    const judged = judgeBatch(
      batch,
      'reference',
      [
        { pair: '1:restful', outcome: 'failed' },
        { pair: '3:kafka', outcome: 'failed' },
        { pair: '5:auth', outcome: 'passed' },
      ],
      1,
    );
    expect(judged.defects.find((verdict) => verdict.defect === 'omit-allow')).toMatchObject({ expected: 1, missed: [] });
    expect(summarize(judged.defects, [judged.batch], 1)).toMatchObject({ mutationScore: 1, precision: 1, holds: true });
  });

  test('a check that passed in one clean run and failed in another is flaky; one that always failed is not', () => {
    const flaky = flakyChecks('reference', [
      [
        { pair: '1:kafka', title: 'row 1 event', outcome: 'passed' },
        { pair: '2:log', title: 'row 2 log', outcome: 'failed', reason: 'x' },
      ],
      [
        { pair: '1:kafka', title: 'row 1 event', outcome: 'failed', reason: 'no event in 5 s' },
        { pair: '2:log', title: 'row 2 log', outcome: 'failed', reason: 'x' },
      ],
      'no record',
    ]);
    expect(flaky).toEqual([
      { profile: 'reference', pair: '1:kafka', title: 'row 1 event', runs: 2, failed: 1, messages: ['no event in 5 s'] },
    ]);
  });
});
