// kill(): picking a victim and queueing SIGKILL (the only signal modelled).
import { H_TASK_HWM, C_T, K_KILLS } from '../layout';
import * as A from '../abi';
import { hdr } from '../machine';
import { cset, count, randBelow } from '../cpu';
import { taskState, taskFlags, setTaskFlag } from '../task';

/** find_task_by_vpid() of a random pid: -ESRCH unless it names a live, killable task. */
export function pickKillTarget(cpu: i32): i32 {
  const v = <i32>randBelow(cpu, <u32>atomic.load<i32>(hdr(H_TASK_HWM)));
  if (taskState(v) != A.TASK_RUNNING || (taskFlags(v) & A.TF_UNKILLABLE) != 0) return A.ESRCH;
  cset(cpu, C_T, v);
  return 0;
}

/** The slot may have been reaped and reused since it was picked, as a pid
 *  may be: the check under siglock decides. */
export function sendSigkill(cpu: i32, t: i32): void {
  if (taskState(t) == A.TASK_RUNNING && (taskFlags(t) & A.TF_UNKILLABLE) == 0) {
    setTaskFlag(t, A.TF_SIGKILL);
    count(cpu, K_KILLS);
  }
}
