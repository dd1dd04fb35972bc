// A validator waiting for its 31 ETH confirmation runs `Confirmations.run` on every tick (each
// statement received is one); who signs used to cost three contract reads each time. Real Anvil with
// the whole system deployed (K = 64, no seats), the fold of chain events driven by hand (a draw of
// four approved and accepted with its deposit signature), the confirmations on a client whose
// transport counts each eth_call: K and the active seats are read once over many ticks and blocks,
// and the seats again only when the state shows a change that may move them (an ejection).
import { afterAll, describe, expect, it } from 'vitest';
import { createChainState } from '../../src/chain/chain-state.ts';
import { Confirmations } from '../../src/chain/confirmations.ts';
import { silentLogger } from '../../src/index.ts';
import { createOperators } from '../helpers/committee.ts';
import { createMemoryHub } from '../helpers/memory-network.ts';
import { operatorKey } from '../helpers/p2p.ts';
import { deployForTests } from './agents.ts';
import { countingWallet } from './counting-client.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

let anvil: AnvilProcess | undefined;
afterAll(async () => anvil?.stop());

describe('confirmations: reads on the hot path', () => {
  it('reads K and the active seats once while a validator waits, the seats again on a change', async () => {
    anvil = await startAnvil();
    const { deployment } = await deployForTests(anvil.url);
    const operators = createOperators(4, 9).map((o) => o.address);
    const self = operators[0]!;
    const counting = countingWallet(anvil.url, operatorKey('confirmations reads'));
    let lookups = 0;
    const confirmations = new Confirmations({
      wallet: counting.wallet,
      network: createMemoryHub().network(self),
      registry: deployment.dkgResultRegistry!,
      accounting: deployment.accounting,
      operatorRegistry: deployment.operatorRegistry,
      // not on the beacon chain yet: the validator keeps waiting
      indexOf: async () => {
        lookups += 1;
        return undefined;
      },
      logger: silentLogger,
      emit: () => {},
      onChange: () => {},
    });
    const state = createChainState();
    for (const o of operators) state.setOperator(o, [], undefined, 1n);
    state.drawRequested(1n, 10n, 5n);
    state.committeeDrawn(1n, operators, 11n);
    state.resultAccepted(
      1n,
      new Uint8Array(48).fill(7),
      operators.map((_, i) => new Uint8Array(48).fill(i + 1)),
      3,
      12n,
      new Uint8Array(96).fill(9),
    );
    state.drawEnded(1n, 'approved', 12n);
    for (let block = 13n; block < 23n; block++) {
      state.setBlock(block);
      expect(await confirmations.run(state)).toBe(6_000);
    }
    expect(lookups).toBe(10);
    expect(counting.reads('activeSeats')).toBe(1);
    expect(counting.reads('REPORTING_COMMITTEE_SEATS')).toBe(1);
    expect(counting.readsOf(deployment.accounting!)).toBe(1);

    // an ejection may move the seats: read again, once
    state.ejectOperator(operators[3]!, 23n);
    for (let block = 23n; block < 26n; block++) {
      state.setBlock(block);
      await confirmations.run(state);
    }
    expect(counting.reads('activeSeats')).toBe(2);
    expect(counting.readsOf(deployment.accounting!)).toBe(1);
  }, 60_000);
});
