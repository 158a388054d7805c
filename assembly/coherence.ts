// Cache coherence for the timed model: every lock and every declared
// variable is one cache line with an owner or a set of sharers (MESI, with
// E and M merged: an owner holds the only copy and may write it; sharers
// hold clean copies). An access pays what the line's state implies: a hit,
// a transfer from the nearest copy, an invalidation of every other copy,
// or a fill from memory on the line's home node. Transfers of one line are
// served one at a time (the owner answers one request before the next), so
// N CPUs polling a line that keeps changing queue behind each other: what
// makes a contended ticket lock collapse on real machines.
//
// Simplified: one line per lock and per variable (no false sharing, no
// neighbouring fields); no capacity misses (a line stays cached until
// another CPU takes it); an invalidation costs the farthest copy's transfer,
// all sent at once; memory and the interconnect never queue, only lines do.
// The home of a line is the socket of the first CPU to touch it (first-touch
// allocation, as the slab allocator's node-local caches give).
import { hget, hdr, lineEntryAddr, linesIndexMask } from './machine';
import {
  H_COSTS, H_TOPOLOGY, LN_KEY, LN_OWNER, LN_HOME, LN_SHARERS, LN_BUSY, COST_HIT, COST_RMW, COST_DRAM, COST_DRAM_REMOTE,
  COST_XFER_SMT, COST_XFER_LLC, COST_XFER_SOCKET, COST_XFER_REMOTE, COST_XFER_REMOTE_HOME,
} from './layout';

// @ts-ignore: decorator
@inline export function cost(k: i32): u64 { return <u64>load<u32>(hdr(H_COSTS + (k << 2))); }
// @ts-ignore: decorator
@inline function topo(cpu: i32): i32 { return hget(H_TOPOLOGY + (cpu << 2)); }
// @ts-ignore: decorator
@inline export function socketOf(cpu: i32): i32 { return topo(cpu) >> 16; }

/** The one-way cost of moving a line from `from`'s cache to `to`'s. */
function transfer(from: i32, to: i32, home: i32): u64 {
  const a = topo(from), b = topo(to);
  if (a == b) return cost(COST_XFER_SMT); // the same core: its other hyperthread
  if ((a >> 8) == (b >> 8)) return cost(COST_XFER_LLC);
  if ((a >> 16) == (b >> 16)) return cost(COST_XFER_SOCKET);
  return home == (a >> 16) ? cost(COST_XFER_REMOTE) : cost(COST_XFER_REMOTE_HOME);
}

/** The directory entry of the line at `key`, claimed when absent. */
function entry(key: i32, cpu: i32): usize {
  const mask = linesIndexMask();
  let i = <i32>((<u32>key * 0x9E3779B1) >> 8) & mask;
  for (let probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
    const e = lineEntryAddr(i);
    const k = load<i32>(e + LN_KEY);
    if (k == key) return e;
    if (k == 0) {
      store<i32>(e + LN_KEY, key);
      store<i32>(e + LN_HOME, socketOf(cpu) + 1);
      return e;
    }
  }
  return 0; // full: the host sizes it for every lock and variable, so never
}

// @ts-ignore: decorator
@inline function hasSharer(e: usize, cpu: i32): bool { return (load<u32>(e + LN_SHARERS + ((cpu >> 5) << 2)) & (1 << (cpu & 31))) != 0; }
function onlySharer(e: usize, cpu: i32): void {
  for (let w = 0; w < 4; w++) store<u32>(e + LN_SHARERS + (w << 2), 0);
  store<u32>(e + LN_SHARERS + ((cpu >> 5) << 2), 1 << (cpu & 31));
}

/** The farthest (`far`) or nearest copy's transfer to `cpu` among the
 *  sharers other than `cpu` (0: none). */
function sharersCost(e: usize, cpu: i32, home: i32, far: bool): u64 {
  let best: u64 = 0;
  for (let w = 0; w < 4; w++) {
    let bits = load<u32>(e + LN_SHARERS + (w << 2));
    while (bits != 0) {
      const c = (w << 5) + <i32>ctz(bits);
      bits &= bits - 1;
      if (c == cpu) continue;
      const x = transfer(c, cpu, home);
      if (best == 0 || (far ? x > best : x < best)) best = x;
    }
  }
  return best;
}

/** `cpu` reads (write: false) or writes the line at `key` at time `now`;
 *  returns what it costs, waiting for the line included. `rmw`: a locked
 *  read-modify-write rather than a plain access. */
export function access(cpu: i32, key: i32, write: bool, rmw: bool, now: u64): u64 {
  const e = entry(key, cpu);
  const local = rmw ? cost(COST_RMW) : cost(COST_HIT);
  if (e == 0) return local;
  const owner = load<i32>(e + LN_OWNER) - 1;
  const home = load<i32>(e + LN_HOME) - 1;
  let x: u64 = 0; // the transfer this access needs
  if (owner == cpu) return local;
  if (!write && owner < 0 && hasSharer(e, cpu)) return local;
  if (owner >= 0) x = transfer(owner, cpu, home);
  else {
    x = sharersCost(e, cpu, home, write);
    // No other copy: the line comes from memory (a write that only upgrades
    // its own shared copy needs nothing but the invalidations, here none).
    if (x == 0 && !hasSharer(e, cpu)) x = home == socketOf(cpu) ? cost(COST_DRAM) : cost(COST_DRAM_REMOTE);
  }
  if (write) {
    store<i32>(e + LN_OWNER, cpu + 1);
    onlySharer(e, cpu);
  } else {
    // The owner keeps a shared copy; both now share the line.
    store<i32>(e + LN_OWNER, 0);
    if (owner >= 0) onlySharer(e, owner);
    const w = e + LN_SHARERS + ((cpu >> 5) << 2);
    store<u32>(w, load<u32>(w) | (1 << (cpu & 31)));
  }
  if (x == 0) return local;
  // Requests for one line are served in turn.
  const busy = load<u64>(e + LN_BUSY);
  const start = busy > now ? busy : now;
  store<u64>(e + LN_BUSY, start + x);
  return start - now + x + local;
}
