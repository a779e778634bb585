/**
 * The CPU each party spent on a step: the client (the sync process or ldapsearch), slapd and,
 * when it runs on this machine, PostgreSQL. On a machine of few cores their sum bounds how fast
 * the step can be, whatever runs beside what: `floorOfCores` is that bound, the time the step
 * would take if every core did its share of the work and none ever waited. Read from /proc
 * (Linux); null where there is none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Linux reports /proc times in USER_HZ, 100 a second on every architecture it runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime, and cutime + cstime of children already reaped, of one process; null if gone. */
function ticksOf(pid: number): number | null {
  let stat: string;
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  // The command name may hold spaces or parentheses: the fields start after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}

export function processCpuSeconds(pid: number | null): number | null {
  const ticks = pid ? ticksOf(pid) : null;
  return ticks === null ? null : ticks / TICKS_PER_SECOND;
}

/**
 * Every process named `postgres` on this machine: the backends a sync used have ended by the
 * time it is read, and count through the postmaster that reaped them. Null when none runs here
 * (a server on another host spends CPU that is not this machine's).
 */
export function postgresCpuSeconds(): number | null {
  let total = 0;
  let found = false;
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return null; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let name: string;
    try { name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim(); } catch { continue; }
    if (name !== 'postgres') continue;
    const ticks = ticksOf(Number(entry));
    if (ticks === null) continue;
    total += ticks;
    found = true;
  }
  return found ? total / TICKS_PER_SECOND : null;
}

export interface StepCpu {
  /**
   * The client: the sync process by its own account of the run (every thread, the start of the
   * process left out), or ldapsearch for the floor.
   */
  client: number;
  slapd: number | null;
  postgres: number | null;
  /** Their sum over this machine's cores: no order of work ends the step sooner. */
  floorOfCores: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The CPU slapd and PostgreSQL had spent when a step began. */
export interface CpuMark { slapdPid: number | null; slapd: number | null; postgres: number | null }

export function cpuMark(slapdPid: number | null, usesPostgres: boolean): CpuMark {
  return { slapdPid, slapd: processCpuSeconds(slapdPid), postgres: usesPostgres ? postgresCpuSeconds() : null };
}

/** What slapd and PostgreSQL spent since `mark`, beside the client's own account of its CPU. */
export function cpuSince(mark: CpuMark, clientSeconds: number): StepCpu {
  const slapdAfter = processCpuSeconds(mark.slapdPid);
  const pgAfter = mark.postgres === null ? null : postgresCpuSeconds();
  const slapd = mark.slapd !== null && slapdAfter !== null ? slapdAfter - mark.slapd : null;
  const postgres = mark.postgres !== null && pgAfter !== null ? pgAfter - mark.postgres : null;
  const sum = clientSeconds + (slapd ?? 0) + (postgres ?? 0);
  return { client: round(clientSeconds), slapd: slapd === null ? null : round(slapd), postgres: postgres === null ? null : round(postgres), floorOfCores: round(sum / cpus().length) };
}

/** What slapd and PostgreSQL spend while `work` runs, beside the sync CPU `work` reports. */
export function accountCpu<T extends { cpuSeconds: number }>(slapdPid: number | null, usesPostgres: boolean, work: () => T): { result: T; cpu: StepCpu } {
  const mark = cpuMark(slapdPid, usesPostgres);
  const result = work();
  return { result, cpu: cpuSince(mark, result.cpuSeconds) };
}
