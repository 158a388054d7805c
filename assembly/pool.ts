// A lock-free stack of free slots, for CPUs that allocate and free at once
// without a model lock: the task table's and the kernel contexts'. The head
// is a u64, tag << 32 | (slot + 1) (0: empty); the tag, bumped by every
// change, keeps a pop from succeeding on a head that was popped and pushed
// back meanwhile (ABA). A free slot's link is a word inside the slot, at
// `base + slot * stride + link`, holding the next free slot (-1: none).

/** Take a slot (-1: none is free). */
export function poolPop(head: usize, base: usize, stride: i32, link: i32): i32 {
  while (true) {
    const old = atomic.load<u64>(head);
    const s = <i32>(old & 0xffffffff) - 1;
    if (s < 0) return -1;
    const next = load<i32>(base + <usize>s * stride + link);
    const tag = (old >> 32) + 1;
    if (atomic.cmpxchg<u64>(head, old, (tag << 32) | <u64>(<u32>(next + 1))) == old) return s;
  }
  return -1; // unreachable
}

/** Give slot `s` back. */
export function poolPush(head: usize, base: usize, stride: i32, link: i32, s: i32): void {
  while (true) {
    const old = atomic.load<u64>(head);
    store<i32>(base + <usize>s * stride + link, <i32>(old & 0xffffffff) - 1);
    const tag = (old >> 32) + 1;
    if (atomic.cmpxchg<u64>(head, old, (tag << 32) | <u64>(<u32>(s + 1))) == old) return;
  }
}
