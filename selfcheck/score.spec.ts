import { expect, test } from '@playwright/test';
import type { Batch } from './batches.ts';
import { alwaysFailing, flakyChecks } from './flaky.ts';
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

  test('pairs a selection left out are not judged; all caught with nothing else red holds', () => {
    const judged = judgeBatch(
      batch,
      'reference',
      [
        { pair: '1:restful', outcome: 'failed' },
        { pair: '3:kafka', outcome: 'failed' },
        { pair: '5:auth', outcome: 'passed' },
      ],
      1,
      false,
    );
    expect(judged.defects.find((verdict) => verdict.defect === 'omit-allow')).toMatchObject({ expected: 1, missed: [], notJudged: [] });
    expect(summarize(judged.defects, [judged.batch], 1)).toMatchObject({ mutationScore: 1, precision: 1, holds: true });
  });

  test('in a whole run, an expected pair skipped or never run is not judged, and the self-check does not hold', () => {
    const judged = judgeBatch(
      batch,
      'reference',
      [
        { pair: '1:restful', outcome: 'failed' },
        { pair: '2:restful', outcome: 'not-run', reason: 'not run: fault injection refused' },
        { pair: '3:kafka', outcome: 'failed' },
      ],
      1,
    );
    expect(judged.defects.find((verdict) => verdict.defect === 'omit-allow')).toMatchObject({ caught: true, notJudged: ['2:restful'] });
    expect(summarize(judged.defects, [judged.batch], 1).holds).toBe(false);
    const cutShort = judgeBatch(batch, 'reference', [{ pair: '1:restful', outcome: 'failed' }], 1);
    expect(cutShort.defects.find((verdict) => verdict.defect === 'drop-event')?.notJudged).toEqual(['3:kafka']);
  });

  test('a defect a --grep left out is not counted in the score', () => {
    const seen = [
      { pair: '1:restful', outcome: 'failed' as const },
      { pair: '2:restful', outcome: 'failed' as const },
    ];
    const judged = judgeBatch(batch, 'reference', seen, 1, false);
    const [allow, event] = judged.defects;
    if (!allow || !event) throw new Error('two verdicts');
    const result = summarize([allow, { ...event, notSelected: '--grep @restful selected none of its pairs' }], [judged.batch], 1);
    expect(result).toMatchObject({ mutationScore: 1, holds: true });
  });

  test('a check that passed in one clean run and failed in another is flaky; one that always failed is broken, not flaky', () => {
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
    const runs = [
      [{ pair: '2:log', title: 'row 2 log', outcome: 'failed' as const, reason: 'x' }],
      [{ pair: '2:log', title: 'row 2 log', outcome: 'failed' as const, reason: 'x' }],
    ];
    expect(alwaysFailing('reference', runs).map((check) => check.title)).toEqual(['row 2 log']);
  });
});
