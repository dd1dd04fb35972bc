// A typed method per endpoint over anything that can call an endpoint: one node's client
// (./client.ts) or a pool of nodes (./pool.ts). `api.getAttesterDuties({epoch, indices})`.
import type { CallOptions } from './client.ts';
import { type EndpointName, type Endpoints, endpoints } from './endpoints.ts';
import type { AnyEndpoint, ArgsOf, RetOf } from './route.ts';

export interface EndpointCaller<O = CallOptions> {
  call<E extends AnyEndpoint>(endpoint: E, args: ArgsOf<E>, opts?: O): Promise<RetOf<E>>;
}

export type BeaconApi<O = CallOptions> = {
  readonly [K in EndpointName]: (args: ArgsOf<Endpoints[K]>, opts?: O) => Promise<RetOf<Endpoints[K]>>;
};

export function createBeaconApi<O = CallOptions>(caller: EndpointCaller<O>): BeaconApi<O> {
  const api: Record<string, unknown> = {};
  for (const [name, endpoint] of Object.entries(endpoints)) {
    api[name] = (args: unknown, opts?: O) => caller.call(endpoint as AnyEndpoint, args, opts);
  }
  return api as BeaconApi<O>;
}
