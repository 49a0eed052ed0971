// Property tests: every ISA under test against the JS reference over random valid cases.
// fast-check prints the seed and the shrunk counterexample on failure; the checker prints the
// element, expected and got values, and the case.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { init } from '../src/index.js';
import { FUZZ_PROPERTIES } from './helpers/arbitraries.js';
import { checkConvCase, worstSeen } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';

const RUNS = Number(process.env.WASMCONV_FUZZ_RUNS ?? 1000);

const properties = FUZZ_PROPERTIES;

for (const isa of TEST_ISAS) {
  describe(`fuzz against the reference, isa ${isa}`, () => {
    beforeAll(async () => {
      await init({ isa });
    });
    afterAll(() => {
      console.log(`isa ${isa}: ${properties.length} properties × ${RUNS} runs; worst error ${worstSeen.get(isa)?.toFixed(2)} units of roundoff (u·Σ|term|)`);
    });
    for (const [name, arbitrary] of properties) {
      it(`${name}: ${RUNS} random cases`, () => {
        fc.assert(
          fc.property(arbitrary, (c) => {
            checkConvCase(isa, c);
          }),
          { numRuns: RUNS },
        );
      });
    }
  });
}
