import { type Fork, isFork } from '../forks.ts';
import { bytesToHex, fieldError, fromJsonStrict } from '../internal/json.ts';
import {
  type Endpoint,
  HEADER,
  optionalQuery,
  type ParsedRequest,
  param,
  type ResponseCodec,
  type ResponseMeta,
  sszError,
  uintParam,
} from '../route.ts';
import { type AnyBlock, producedBlockType, ssz } from '../types.ts';

// ---- block production ----

export interface ProduceBlockArgs {
  slot: number;
  randaoReveal: Uint8Array;
  graffiti: Uint8Array;
  feeRecipient?: Uint8Array;
  builderBoostFactor?: bigint;
  skipRandaoVerification?: boolean;
}

export interface ProducedBlockMeta {
  version: Fork;
  /** The block is blinded (only v3 can return one; v2 never does). */
  blinded: boolean;
  executionPayloadValue: bigint;
  consensusBlockValue: bigint;
}

/** The produced block (BlockContents from deneb on when not blinded) with its fork and values. */
export interface ProducedBlock {
  data: AnyBlock;
  meta: ProducedBlockMeta;
}

function produceQuery(a: ProduceBlockArgs, v3: boolean) {
  return {
    randao_reveal: bytesToHex(a.randaoReveal),
    graffiti: bytesToHex(a.graffiti),
    fee_recipient: a.feeRecipient !== undefined ? bytesToHex(a.feeRecipient) : undefined,
    builder_boost_factor:
      v3 && a.builderBoostFactor !== undefined ? a.builderBoostFactor.toString() : undefined,
    skip_randao_verification: a.skipRandaoVerification ? '' : undefined,
  };
}

function parseProduce(r: ParsedRequest): ProduceBlockArgs {
  const fee = optionalQuery(r, 'fee_recipient');
  const boost = optionalQuery(r, 'builder_boost_factor');
  return {
    slot: uintParam(r, 'slot'),
    randaoReveal: fromJsonStrict(ssz.BLSSignature, param(r, 'randao_reveal'), 'randao_reveal'),
    graffiti: fromJsonStrict(
      ssz.Bytes32,
      optionalQuery(r, 'graffiti') ?? bytesToHex(new Uint8Array(32)),
      'graffiti',
    ),
    ...(fee !== undefined
      ? { feeRecipient: fromJsonStrict(ssz.ExecutionAddress, fee, 'fee_recipient') }
      : {}),
    ...(boost !== undefined && /^[0-9]{1,20}$/.test(boost) ? { builderBoostFactor: BigInt(boost) } : {}),
    ...(optionalQuery(r, 'skip_randao_verification') !== undefined ? { skipRandaoVerification: true } : {}),
  };
}

function wei(v: unknown, path: string): bigint {
  if (v === undefined) return 0n;
  if (typeof v !== 'string' || !/^[0-9]{1,78}$/.test(v))
    throw fieldError(path, 'expected a decimal wei string');
  return BigInt(v);
}

function forkOf(v: unknown, meta: ResponseMeta): Fork {
  const header = meta.header(HEADER.consensusVersion)?.toLowerCase();
  const f = typeof v === 'string' ? v.toLowerCase() : header;
  if (f === undefined || !isFork(f))
    throw fieldError('version', `missing or unknown fork ${JSON.stringify(v ?? header)}`);
  if (header !== undefined && header !== f)
    throw fieldError('Eth-Consensus-Version', `header ${header} but body version ${f}`);
  return f;
}

function decodeBlock(fork: Fork, blinded: boolean, json: unknown): AnyBlock {
  return fromJsonStrict(producedBlockType(fork, blinded), json, 'data');
}

function producedCodec(v3: boolean, forceBlinded: boolean): ResponseCodec<ProducedBlock> {
  return {
    empty: false,
    ssz: true,
    fromJson(body, meta) {
      if (typeof body !== 'object' || body === null) throw fieldError('(body)', 'expected a JSON object');
      const o = body as Record<string, unknown>;
      const version = forkOf(o.version, meta);
      let blinded = forceBlinded;
      if (v3) {
        const b = o.execution_payload_blinded ?? meta.header(HEADER.payloadBlinded);
        if (b !== true && b !== false && b !== 'true' && b !== 'false') {
          throw fieldError('execution_payload_blinded', 'missing or not a boolean');
        }
        blinded = b === true || b === 'true';
      }
      if (o.data === undefined) throw fieldError('data', 'missing');
      return {
        data: decodeBlock(version, blinded, o.data),
        meta: {
          version,
          blinded,
          executionPayloadValue: wei(
            o.execution_payload_value ?? meta.header(HEADER.payloadValue),
            'execution_payload_value',
          ),
          consensusBlockValue: wei(
            o.consensus_block_value ?? meta.header(HEADER.blockValue),
            'consensus_block_value',
          ),
        },
      };
    },
    toJson(ret) {
      const data = producedBlockType(ret.meta.version, ret.meta.blinded).toJson(ret.data);
      const headers = {
        [HEADER.consensusVersion]: ret.meta.version,
        ...(v3
          ? {
              [HEADER.payloadBlinded]: String(ret.meta.blinded),
              [HEADER.payloadValue]: ret.meta.executionPayloadValue.toString(),
              [HEADER.blockValue]: ret.meta.consensusBlockValue.toString(),
            }
          : {}),
      };
      const body = v3
        ? {
            version: ret.meta.version,
            execution_payload_blinded: ret.meta.blinded,
            execution_payload_value: ret.meta.executionPayloadValue.toString(),
            consensus_block_value: ret.meta.consensusBlockValue.toString(),
            data,
          }
        : { version: ret.meta.version, data };
      return { body, headers };
    },
    fromSsz(bytes, meta) {
      const version = forkOf(undefined, meta);
      let blinded = forceBlinded;
      if (v3) {
        const b = meta.header(HEADER.payloadBlinded);
        if (b !== 'true' && b !== 'false')
          throw fieldError('Eth-Execution-Payload-Blinded', 'missing or not a boolean');
        blinded = b === 'true';
      }
      let data: AnyBlock;
      try {
        data = producedBlockType(version, blinded).deserialize(bytes);
      } catch (e) {
        throw sszError(`${version} block`, e);
      }
      return {
        data,
        meta: {
          version,
          blinded,
          executionPayloadValue: wei(meta.header(HEADER.payloadValue), 'Eth-Execution-Payload-Value'),
          consensusBlockValue: wei(meta.header(HEADER.blockValue), 'Eth-Consensus-Block-Value'),
        },
      };
    },
    toSsz(ret) {
      return {
        bytes: producedBlockType(ret.meta.version, ret.meta.blinded).serialize(ret.data),
        headers: {
          [HEADER.consensusVersion]: ret.meta.version,
          [HEADER.payloadBlinded]: String(ret.meta.blinded),
          [HEADER.payloadValue]: ret.meta.executionPayloadValue.toString(),
          [HEADER.blockValue]: ret.meta.consensusBlockValue.toString(),
        },
      };
    },
  };
}

export const produceBlock: Endpoint<ProduceBlockArgs, ProducedBlock> = {
  name: 'produceBlock',
  kind: 'read',
  routes: [
    {
      id: 'produceBlock.v3',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v3/validator/blocks/{slot}',
      reqSsz: false,
      writeReq: (a) => ({ params: { slot: a.slot }, query: produceQuery(a, true) }),
      parseReq: parseProduce,
      resp: producedCodec(true, false),
    },
    {
      id: 'produceBlock.v2',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v2/validator/blocks/{slot}',
      reqSsz: false,
      writeReq: (a) => ({ params: { slot: a.slot }, query: produceQuery(a, false) }),
      parseReq: parseProduce,
      resp: producedCodec(false, false),
    },
  ],
};

export const produceBlindedBlock: Endpoint<ProduceBlockArgs, ProducedBlock> = {
  name: 'produceBlindedBlock',
  kind: 'read',
  routes: [
    {
      id: 'produceBlindedBlock.v1',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v1/validator/blinded_blocks/{slot}',
      reqSsz: false,
      writeReq: (a) => ({ params: { slot: a.slot }, query: produceQuery(a, false) }),
      parseReq: parseProduce,
      resp: producedCodec(false, true),
    },
  ],
};
