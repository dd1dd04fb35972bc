// The help text of `diva-node keys dkg`, apart from ./dkg-command.ts so that `--help` loads no library.
export const DKG_HELP = `diva-node keys dkg - create validator keys with the other operators (distributed key generation)

Usage:
  diva-node keys dkg --ceremony FILE --identity-keystore FILE --password-file FILE --out DIR
                     [--listen MULTIADDR]... [--connect-timeout SEC] [--phase-timeout SEC]
  diva-node keys dkg --reshare --ceremony FILE --identity-keystore FILE --password-file FILE --out DIR
                     [--keys-dir DIR | --lost-shares] [--listen MULTIADDR]... [--connect-timeout SEC]
                     [--phase-timeout SEC]

--ceremony FILE           the ceremony file every operator holds (the same one):
                          {"version": 1, "operators": [{address, p2pPublicKey, multiaddrs}],
                           "threshold": T, "validators": K,
                           "withdrawalCredentials": "0x01…", "forkVersion": "0x…",
                           "networkName": (optional for known networks), "amountGwei": (default 32 ETH)}
--identity-keystore FILE  this operator's identity keystore (the node's keys.dir/identity.json)
--password-file FILE      its password; the new share keystores are encrypted with it too
--out DIR                 absent or empty; receives keystore-<validator key>-<share index>.json per
                          validator, cluster.json and deposit_data-<time>.json
--listen MULTIADDR        where to listen (default: this operator's multiaddrs in the ceremony file)
--connect-timeout SEC     how long to wait for every operator to join (default 300)
--phase-timeout SEC       deadline of each ceremony phase (default 30)

Every operator runs this at about the same time. Every operator must take part: one that does not
join, or fails during the ceremony, is named, and nothing is written; run it again to retry (a new
attempt with new keys). Only one gone after the keys were made, when T is below the number of
operators, does not stop the others (T deposit signature shares suffice): it is named in a warning.
The outputs appear in DIR all at once (written aside, checked, renamed), so an interrupted run never
leaves a half-written keystore. The cluster file and the deposit data are the
same for every operator; deposit_data-*.json is the staking deposit CLI's format (for the launchpad).

--reshare                 move existing validators to a new committee, keeping their keys: the old
                          members holding shares deal them (at least the old threshold of them), the
                          new members receive new shares. The ceremony file is then
                          {"version": 1, "type": "reshare",
                           "previous": <the cluster file holding the validators>,
                           "validators": ["0x<validator key>", ...] (optional: all of previous),
                           "operators": [{address, p2pPublicKey, multiaddrs}] (the new committee),
                           "threshold": T}
                          Every old and new member runs it. DIR receives the new share keystores (new
                          members only) and the updated cluster.json; no deposit data. Every new member
                          must take part; an absent old member is waited for one phase, then left out
                          and named. Fewer than the old threshold of old members: nothing is written,
                          the missing are named. Old members delete their old shares afterwards.
--keys-dir DIR            an old member's share keystores (keystore-<validator key>-<share index>.json,
                          same password; default: the identity keystore's directory)
--lost-shares             an old member that lost its share keystores and stays in the new committee:
                          it deals nothing (counted absent, the others wait one phase for it) and
                          receives its new shares like a joining member`;
