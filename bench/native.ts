// The hardware baseline: an uncontended lock acquire+release loop in C,
// compiled with the system `cc -O2` into a temporary folder at bench time.
// Two locks: a ticket spinlock built the way the simulator's is (an atomic
// fetch-add for the ticket, a load of "now serving", a store to release),
// and glibc's pthread_spin_lock. Skipped, with a note, when there is no cc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NativeResult {
  available: boolean;
  note: string;
  compiler?: string;
  iterations?: number;
  ticketNs?: number;
  pthreadSpinNs?: number;
}

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct ticket { uint32_t next; uint32_t serving; } __attribute__((aligned(64)));
static struct ticket tl;
static pthread_spinlock_t ps;
static volatile uint64_t counter;

static inline void ticket_lock(struct ticket *l) {
  uint32_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != t) __builtin_ia32_pause();
}
static inline void ticket_unlock(struct ticket *l) {
  __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}
static double now(void) {
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 50000000L;
  pthread_spin_init(&ps, PTHREAD_PROCESS_PRIVATE);
  for (long i = 0; i < n / 10; i++) { ticket_lock(&tl); counter++; ticket_unlock(&tl); } /* warm up */
  double t0 = now();
  for (long i = 0; i < n; i++) { ticket_lock(&tl); counter++; ticket_unlock(&tl); }
  double t1 = now();
  for (long i = 0; i < n; i++) { pthread_spin_lock(&ps); counter++; pthread_spin_unlock(&ps); }
  double t2 = now();
  printf("{\"iterations\": %ld, \"ticketNs\": %.4f, \"pthreadSpinNs\": %.4f}\n", n, (t1 - t0) * 1e9 / n, (t2 - t1) * 1e9 / n);
  return counter == 0;
}
`;

export function runNative(iterations = 50_000_000): NativeResult {
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    return { available: false, note: 'no system C compiler (`cc`): native baseline skipped (Debian: apt-get install gcc)' };
  }
  const compiler = cc.stdout.split('\n')[0].trim();
  const dir = mkdtempSync(join(tmpdir(), 'forksim-bench-'));
  try {
    const src = join(dir, 'spin.c'), exe = join(dir, 'spin');
    // __builtin_ia32_pause is x86 only; elsewhere the wait loop spins bare.
    writeFileSync(src, process.arch === 'x64' ? SOURCE : SOURCE.replace('__builtin_ia32_pause()', '(void)0'));
    const build = spawnSync('cc', ['-O2', '-pthread', '-o', exe, src], { encoding: 'utf8' });
    if (build.status !== 0) return { available: false, compiler, note: `cc -O2 failed: ${(build.stderr || '').trim().split('\n')[0]}` };
    const run = spawnSync(exe, [String(iterations)], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) return { available: false, compiler, note: `native loop failed: ${run.stderr || run.error?.message || `status ${run.status}`}` };
    const r = JSON.parse(run.stdout) as { iterations: number; ticketNs: number; pthreadSpinNs: number };
    return { available: true, compiler, note: `cc -O2, ${r.iterations.toLocaleString('en-US')} uncontended acquire+release pairs, one thread`, ...r };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
