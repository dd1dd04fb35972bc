#!/usr/bin/env python3
"""Builds examples.json from the beacon-APIs OpenAPI specification (ethereum/beacon-APIs).

The specification gives `example` values on its schemas and fields rather than whole response
bodies. This script resolves each operation's 200-response (and request-body) schema across the
spec's files and assembles a body from those examples: the nearest `example` wins, objects are
built from their properties, arrays get one element (or minItems of them), and a oneOf/anyOf whose branches are forks
(phase0 ... fulu) yields one body per fork. The output is the spec's example data, reassembled.

Usage: generate.py <beacon-APIs checkout> <commit id for the record> | gzip -9n > examples.json.gz
(gzipped: zero-filled blobs make the plain file 2 MB)
"""
import json
import os
import re
import sys

import yaml

ROOT = sys.argv[1]
COMMIT = sys.argv[2]
FORKS = ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu", "gloas", "heze"]
_cache = {}
_last_refs = []


def load(path):
    if path not in _cache:
        with open(path) as f:
            _cache[path] = yaml.safe_load(f)
    return _cache[path]


def resolve(ref, base):
    file, _, pointer = ref.partition("#")
    path = os.path.normpath(os.path.join(os.path.dirname(base), file)) if file else base
    node = load(path)
    for part in [p for p in pointer.split("/") if p]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, path


def fork_of(ref):
    low = ref.lower()
    for f in FORKS:
        if re.search(r"[/.#]" + f + r"[./]", low) or low.endswith("/" + f):
            return f
    return None


def deref(node, base, seen=()):
    """Follows $ref chains; keeps the outermost example/fork tag."""
    fork = None
    global _last_refs
    _last_refs = []
    example = node.get("example") if isinstance(node, dict) else None
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        _last_refs.append(ref)
        fork = fork or fork_of(ref)
        if ref in seen:
            raise ValueError("cycle " + ref)
        seen = seen + (ref,)
        node, base = resolve(ref, base)
        if example is None and isinstance(node, dict):
            example = node.get("example")
    return node, base, example, fork


def sample(node, base, depth=0):
    node, base, example, _ = deref(node, base)
    if example is not None:
        return example
    if depth > 40:
        raise ValueError("too deep")
    if "allOf" in node:
        out = {}
        for sub in node["allOf"]:
            if isinstance(sub, dict) and set(sub) <= {"description", "title"}:
                continue  # annotation only
            v = sample(sub, base, depth + 1)
            if not isinstance(v, dict):
                return v
            out.update(v)
        return out
    for key in ("oneOf", "anyOf"):
        if key in node:
            return sample(node[key][0], base, depth + 1)
    t = node.get("type")
    if t == "object" or "properties" in node:
        return {k: sample(v, base, depth + 1) for k, v in node.get("properties", {}).items()}
    if t == "array":
        # One element, or as many as a fixed-length vector needs (minItems, e.g. a deposit proof).
        return [sample(node["items"], base, depth + 1)] * max(1, node.get("minItems", 1))
    if "enum" in node:
        return node["enum"][0]
    # A few leaves carry no example at all: use the simplest valid value of their type
    # (zero bytes of the size their pattern fixes, "1" for other strings).
    if t == "string":
        m = re.fullmatch(r"\^0x\[a-fA-F0-9\]\{(\d+)\}\$", node.get("pattern", ""))
        if m:
            return "0x" + "0" * int(m.group(1))  # fixed-size hex without an example: zeros
        return "1"
    if t == "boolean":
        return False
    if t in ("integer", "number"):
        return 1
    raise ValueError("no example for %s in %s" % (json.dumps(node)[:120], base))


def variants(node, base):
    """[(fork, value)] for a schema whose top level is a per-fork oneOf/anyOf, else [(None, value)]."""
    inner, ibase, example, _ = deref(node, base)
    for key in ("oneOf", "anyOf"):
        if key in inner and example is None:
            out = []
            for branch in inner[key]:
                _, _, _, fork = deref(branch, ibase)
                refs = list(_last_refs)
                if fork is None and isinstance(branch, dict) and branch.get("type") == "array":
                    _, _, _, fork = deref(branch["items"], ibase)
                    refs += _last_refs
                blinded = any("blinded" in r.lower() for r in refs)
                out.append((fork, blinded, sample(branch, ibase)))
            return out
    return [(None, False, sample(node, base))]


def op_files():
    spec = load(os.path.join(ROOT, "beacon-node-oapi.yaml"))
    for path, item in spec["paths"].items():
        file = os.path.normpath(os.path.join(ROOT, item["$ref"]))
        for method, op in load(file).items():
            yield path, method.upper(), op, file


OPS = {
    "getGenesis", "getStateFork", "getStateFinalityCheckpoints", "getStateValidators", "postStateValidators",
    "getBlockHeaders", "getBlockHeader", "getBlockV2", "getBlindedBlock", "getPoolAttestationsV2",
    "getPoolVoluntaryExits", "getSpec", "getForkSchedule", "getDepositContract", "getSyncingStatus",
    "getNodeVersion", "getNetworkIdentity", "getAttesterDuties", "getProposerDuties", "getSyncCommitteeDuties",
    "produceAttestationData", "getAggregatedAttestationV2", "produceBlockV3", "produceSyncCommitteeContribution",
    "getLiveness", "publishBlockV2", "publishBlindedBlockV2", "submitPoolAttestationsV2",
    "submitPoolSyncCommitteeSignatures", "submitPoolVoluntaryExit", "publishAggregateAndProofsV2",
    "prepareBeaconCommitteeSubnet", "prepareSyncCommitteeSubnets", "publishContributionAndProofs",
    "prepareBeaconProposer", "registerValidator",
}

out = {
    "source": "ethereum/beacon-APIs at commit %s (CC0-1.0): schema and field `example` values, reassembled by generate.py" % COMMIT,
    "operations": [],
}
for path, method, op, file in op_files():
    oid = op.get("operationId")
    if oid not in OPS:
        continue
    entry = {"operationId": oid, "method": method, "path": path, "responses": [], "requests": []}
    ok = op.get("responses", {}).get("200", {})
    ok, okbase, _, _ = deref(ok, file)
    schema = ok.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        s, sbase, example, _ = deref(schema, okbase)
        props = s.get("properties", {})
        if example is None and "data" in props:
            for fork, blinded, data in variants(props["data"], sbase):
                body = {k: sample(v, sbase) for k, v in props.items() if k != "data"}
                if fork is not None and "version" in body:
                    body["version"] = fork
                if "execution_payload_blinded" in body:
                    body["execution_payload_blinded"] = blinded
                body["data"] = data
                entry["responses"].append({"fork": fork, "blinded": blinded, "body": body})
        else:
            entry["responses"].append({"fork": None, "blinded": False, "body": sample(schema, okbase)})
    rb = op.get("requestBody")
    if rb is not None:
        rb, rbase, _, _ = deref(rb, file)
        rs = rb.get("content", {}).get("application/json", {}).get("schema")
        if rs is not None:
            for fork, blinded, body in variants(rs, rbase):
                entry["requests"].append({"fork": fork, "blinded": blinded, "body": body})
    out["operations"].append(entry)

out["operations"].sort(key=lambda e: e["operationId"])
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
