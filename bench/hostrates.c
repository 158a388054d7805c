/*
 * hostrates: the real kernel's fork, vfork and thread-creation rates on this
 * host, for forksim's timed model to be calibrated against.
 *
 *   cc -O2 -pthread -o hostrates hostrates.c
 *   ./hostrates SECONDS N1,N2,...      e.g. ./hostrates 0.5 1,2
 *
 * For each worker count N and each cycle kind (fork, vfork, thread), N worker
 * processes are started, worker i pinned with sched_setaffinity to the i-th
 * CPU this process may run on. Each warms up, waits at a barrier (a pipe),
 * then runs its cycle back to back for SECONDS of wall time and counts the
 * cycles. The point's rate is the sum of the workers' rates; min and max are
 * over the workers.
 *
 * The workers are separate processes for every kind, the thread cycle
 * included: two workers in one process would share an mm, so their forks
 * would contend on that mm's mmap lock (dup_mmap takes it for writing) and
 * their thread creations on the mm's page tables and the shared signal and
 * files structures - contention a set of independent forking processes does
 * not have, and not what the model is calibrated against.
 *
 * The parent is kept small (no heap to speak of, one shared page for the
 * results): fork's cost grows with the forking process's mapped size (every
 * VMA and, for anonymous memory, every PTE is copied), so a big parent would
 * measure the parent, not the fork path. The parent's and the workers' RSS
 * are in the output.
 *
 * Output: one JSON object on stdout. Errors: a message on stderr and a
 * non-zero exit (2 for bad arguments, 1 for a failed measurement).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 1024
#define MAX_POINTS 64

enum kind { FORK, VFORK, THREAD, KINDS };
static const char *const KIND_NAME[KINDS] = { "fork", "vfork", "thread" };

/* One shared anonymous page (more with many workers): what each worker reports. */
struct slot {
  uint64_t cycles;
  double elapsed; /* seconds of the measured window */
  long rssKiB;    /* the worker's RSS just before it measured */
  int failed;
};
static struct slot *slots;

static int cpus[MAX_WORKERS];
static int ncpus;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set of the calling process in KiB (the second field of statm, in pages). */
static long rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = -1;
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void *thread_body(void *arg) { return arg; }

/*
 * fork cycle. Mirrors the kernel's plain fork: kernel_clone → copy_process
 * with no CLONE_VM, so copy_mm → dup_mm → dup_mmap copies every VMA and the
 * page tables of the private anonymous ones (and write-protects them for
 * COW); then wake_up_new_task. The child's _exit(0) is do_exit → exit_mm
 * (the mm torn down: unmap and free the copied page tables) → exit_notify
 * (a zombie, SIGCHLD to the parent); the parent's waitpid is do_wait →
 * wait_task_zombie → release_task (unhash the pid, free the task).
 */
/* The parent's waitpid of both cycles: 0 once the child exited with 0. */
static int reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int fork_cycle(void) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(0);
  return reap(pid);
}

/*
 * vfork cycle. Mirrors CLONE_VM|CLONE_VFORK: copy_process shares the
 * parent's mm (copy_mm just takes a reference: no dup_mm, no page-table
 * copy), and the parent sleeps in wait_for_vfork_done until the child
 * releases the mm (exit_mm → mm_release → complete_vfork_done). Then
 * waitpid reaps the zombie as for fork.
 */
static int vfork_cycle(void) {
  pid_t pid = vfork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(0); /* the child only _exits: nothing else is allowed in a vfork child */
  return reap(pid);
}

/*
 * thread cycle. glibc's pthread_create is clone3 with CLONE_VM|CLONE_FS|
 * CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|
 * CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID: copy_process shares everything
 * (no mm, files or signal copy), on a stack glibc caches after the first
 * thread. The thread's return is do_exit; a CLONE_THREAD task is not waited
 * for, it autoreaps in exit_notify → release_task. pthread_join is a futex
 * wait on the tid word the kernel clears and wakes (CLONE_CHILD_CLEARTID,
 * in mm_release) as the thread exits.
 */
static int thread_cycle(void) {
  pthread_t t;
  int e = pthread_create(&t, NULL, thread_body, NULL);
  if (e) { errno = e; return -1; }
  e = pthread_join(t, NULL);
  if (e) { errno = e; return -1; }
  return 0;
}

static int cycle(enum kind k) {
  switch (k) {
  case FORK: return fork_cycle();
  case VFORK: return vfork_cycle();
  default: return thread_cycle();
  }
}

/* One worker: pin, warm up, barrier, measure, report into its slot. Never returns. */
static void worker(int i, enum kind k, double seconds, double warmup, int ready_w, int go_r) {
  struct slot *s = &slots[i];
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus[i], &set);
  if (sched_setaffinity(0, sizeof set, &set) < 0) {
    fprintf(stderr, "hostrates: worker %d: sched_setaffinity(CPU %d): %s\n", i, cpus[i], strerror(errno));
    s->failed = 1;
    _exit(1);
  }
  for (double end = now() + warmup; now() < end;)
    if (cycle(k) < 0) {
      fprintf(stderr, "hostrates: worker %d (CPU %d): %s failed in the warm-up: %s\n", i, cpus[i], KIND_NAME[k], strerror(errno));
      s->failed = 1;
      _exit(1);
    }
  s->rssKiB = rss_kib();
  char c = 'r';
  if (write(ready_w, &c, 1) != 1) _exit(1);
  close(ready_w); /* the parent sees EOF once every worker is ready or dead */
  if (read(go_r, &c, 1) != 1) _exit(3); /* EOF: the parent called it off */
  close(go_r);
  uint64_t n = 0;
  double t0 = now(), t = t0;
  while (t - t0 < seconds) {
    if (cycle(k) < 0) {
      fprintf(stderr, "hostrates: worker %d (CPU %d): %s failed after %llu cycles: %s\n", i, cpus[i], KIND_NAME[k], (unsigned long long)n, strerror(errno));
      s->failed = 1;
      _exit(1);
    }
    n++;
    t = now();
  }
  s->cycles = n;
  s->elapsed = t - t0;
  _exit(0);
}

struct result { double total, min, max; long workerRssKiB; };

/* N workers of kind k started together; 0, or -1 with the reason on stderr. */
static int measure(int nworkers, enum kind k, double seconds, double warmup, struct result *r) {
  int ready[2], go[2];
  if (pipe(ready) < 0 || pipe(go) < 0) { perror("hostrates: pipe"); return -1; }
  memset(slots, 0, sizeof(struct slot) * (size_t)nworkers);
  pid_t pids[MAX_WORKERS];
  int started = 0, rc = 0;
  fflush(NULL); /* nothing buffered for the workers to inherit */
  for (; started < nworkers; started++) {
    pid_t p = fork();
    if (p < 0) { fprintf(stderr, "hostrates: fork of worker %d: %s\n", started, strerror(errno)); rc = -1; break; }
    if (p == 0) {
      close(ready[0]);
      close(go[1]);
      worker(started, k, seconds, warmup, ready[1], go[0]);
    }
    pids[started] = p;
  }
  close(ready[1]);
  close(go[0]);
  /* Barrier: every worker has warmed up (one byte each) before any starts. */
  int got = 0;
  char buf[64];
  while (rc == 0 && got < nworkers) {
    ssize_t n = read(ready[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (int)n;
  }
  close(ready[0]);
  if (rc == 0 && got == nworkers) {
    char go_bytes[MAX_WORKERS];
    memset(go_bytes, 'g', (size_t)nworkers);
    for (int off = 0; off < nworkers;) {
      ssize_t n = write(go[1], go_bytes + off, (size_t)(nworkers - off));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) { perror("hostrates: write to the barrier pipe"); rc = -1; break; }
      off += (int)n;
    }
  } else if (rc == 0) {
    fprintf(stderr, "hostrates: %d of %d %s workers did not reach the barrier\n", nworkers - got, nworkers, KIND_NAME[k]);
    rc = -1;
  }
  close(go[1]); /* workers still waiting (only on failure) read EOF and leave */
  for (int i = 0; i < started; i++) {
    int status;
    while (waitpid(pids[i], &status, 0) < 0)
      if (errno != EINTR) { perror("hostrates: waitpid (worker)"); rc = -1; break; }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || slots[i].failed) {
      if (rc == 0) fprintf(stderr, "hostrates: %s worker %d (CPU %d) failed (status 0x%x)\n", KIND_NAME[k], i, cpus[i], status);
      rc = -1;
    }
  }
  if (rc) return -1;
  r->total = 0;
  r->min = 1e300;
  r->max = 0;
  r->workerRssKiB = 0;
  for (int i = 0; i < nworkers; i++) {
    double rate = slots[i].elapsed > 0 ? (double)slots[i].cycles / slots[i].elapsed : 0;
    r->total += rate;
    if (rate < r->min) r->min = rate;
    if (rate > r->max) r->max = rate;
    if (slots[i].rssKiB > r->workerRssKiB) r->workerRssKiB = slots[i].rssKiB;
  }
  return 0;
}

static void usage(const char *why) {
  fprintf(stderr, "hostrates: %s\nusage: hostrates SECONDS N1,N2,...  (0 < SECONDS <= 60; each N in 1..the CPUs this process may use)\n", why);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc != 3) usage("two arguments expected");
  char *end;
  double seconds = strtod(argv[1], &end);
  if (end == argv[1] || *end || !(seconds > 0 && seconds <= 60)) usage("SECONDS must be a number in (0, 60]");

  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) < 0) { perror("hostrates: sched_getaffinity"); return 1; }
  for (int c = 0; c < CPU_SETSIZE && ncpus < MAX_WORKERS; c++)
    if (CPU_ISSET(c, &allowed)) cpus[ncpus++] = c;
  long online = sysconf(_SC_NPROCESSORS_ONLN);

  int points[MAX_POINTS], npoints = 0;
  for (char *p = argv[2];;) {
    long n = strtol(p, &end, 10);
    if (end == p || (*end && *end != ',')) usage("worker counts must be a comma-separated list of integers");
    if (n < 1 || n > ncpus) {
      char why[160];
      snprintf(why, sizeof why, "worker count %ld out of range: this process may use %d CPU(s)", n, ncpus);
      usage(why);
    }
    if (npoints == MAX_POINTS) usage("too many worker counts");
    points[npoints++] = (int)n;
    if (!*end) break;
    p = end + 1;
  }

  /* Warm-up: a fifth of the window, between 50 and 200 ms. */
  double warmup = seconds * 0.2;
  if (warmup < 0.05) warmup = 0.05;
  if (warmup > 0.2) warmup = 0.2;

  slots = mmap(NULL, sizeof(struct slot) * MAX_WORKERS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (slots == MAP_FAILED) { perror("hostrates: mmap"); return 1; }

  struct result res[MAX_POINTS][KINDS];
  long workerRss = 0;
  for (int p = 0; p < npoints; p++)
    for (int k = 0; k < KINDS; k++) {
      if (measure(points[p], (enum kind)k, seconds, warmup, &res[p][k]) < 0) {
        fprintf(stderr, "hostrates: the %s measurement at %d worker(s) failed\n", KIND_NAME[k], points[p]);
        return 1;
      }
      if (res[p][k].workerRssKiB > workerRss) workerRss = res[p][k].workerRssKiB;
    }

  struct utsname u;
  if (uname(&u) < 0) strcpy(u.release, "unknown");
  printf("{\"cpusOnline\": %ld, \"cpusAllowed\": [", online);
  for (int i = 0; i < ncpus; i++) printf("%s%d", i ? ", " : "", cpus[i]);
  printf("], \"points\": [");
  for (int p = 0; p < npoints; p++) {
    printf("%s{\"workers\": %d", p ? ", " : "", points[p]);
    for (int k = 0; k < KINDS; k++)
      printf(", \"%s\": %.1f, \"%sMin\": %.1f, \"%sMax\": %.1f", KIND_NAME[k], res[p][k].total, KIND_NAME[k], res[p][k].min, KIND_NAME[k], res[p][k].max);
    printf("}");
  }
  printf("], \"rssKiB\": %ld, \"workerRssKiB\": %ld, \"kernel\": \"", rss_kib(), workerRss);
  for (const char *c = u.release; *c; c++) /* JSON-escape the release string */
    if (*c == '"' || *c == '\\') printf("\\%c", *c);
    else if ((unsigned char)*c < 0x20) printf("\\u%04x", *c);
    else putchar(*c);
  printf("\", \"seconds\": %g, \"warmupSeconds\": %g}\n", seconds, warmup);
  return fflush(stdout) == 0 ? 0 : 1;
}
