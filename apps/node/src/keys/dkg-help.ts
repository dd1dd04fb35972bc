// The help text of `diva-node keys dkg`, apart from ./dkg-command.ts so that `--help` loads no library.
export const DKG_HELP = `diva-node keys dkg - create validator keys with the other operators (distributed key generation)

Usage:
  diva-node keys dkg --ceremony FILE --identity-keystore FILE --password-file FILE --out DIR
                     [--listen MULTIADDR]... [--connect-timeout SEC] [--phase-timeout SEC]

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
attempt with new keys). The outputs appear in DIR all at once (written aside, checked, renamed), so an
interrupted run never leaves a half-written keystore. The cluster file and the deposit data are the
same for every operator; deposit_data-*.json is the staking deposit CLI's format (for the launchpad).`;
