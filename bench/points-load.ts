// /points under load: the activities a Teams client would send, autocannon against one bot or several,
// and the CPU time processes use (from Linux's /proc), shared by the /points benchmarks.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** Concurrent conversations: autocannon's connections, each always sending the same conversation's activity. */
export const CONVERSATIONS = 50;

export interface Server {
  url: string;
  pid: number;
}

function activity(connector: string, i: number, members: number) {
  const member = (i * 199) % members;
  return JSON.stringify({
    type: 'message',
    id: `bench-${i}`,
    channelId: 'msteams',
    serviceUrl: connector,
    from: { id: `29:user-${member}`, aadObjectId: `member-${member}`, name: `Member ${member}` },
    recipient: { id: '28:bot', name: 'DevOps Points' },
    conversation: { id: `conversation-${i}`, conversationType: 'personal' },
    text: 'points',
  });
}

/**
 * The CPU time a process has used, in ms, from Linux's /proc (in USER_HZ ticks, 100 a second); NaN
 * elsewhere. CPU per request moves less with the machine's load than requests per second do.
 */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export interface LoadOptions {
  members: number;
  seconds: number;
  /** Requests to send instead of running for `seconds` (a warm-up). */
  amount?: number;
}

/**
 * /points against the servers, one autocannon with CONVERSATIONS connections. With several servers,
 * autocannon gives connection i to server i % n: each connection stays on its server, so the servers
 * share the connections round-robin and a slower one answers fewer requests rather than queueing more.
 * cpuPerRequest is the servers' CPU time together, per request answered.
 */
export async function pointsLoad(servers: Server[], connector: string, { members, seconds, amount }: LoadOptions) {
  const cpuBefore = servers.reduce((sum, s) => sum + cpuMs(s.pid), 0);
  const bodies = Array.from({ length: CONVERSATIONS }, (_, i) => activity(connector, i, members));
  const urls = servers.map((s) => `${s.url}/api/messages`);
  let next = 0;
  const result = await autocannon({
    // autocannon takes a list of URLs (lib/run.js spreads the connections over them); its types say string.
    url: (urls.length === 1 ? urls[0]! : urls) as string,
    connections: CONVERSATIONS,
    duration: seconds,
    ...(amount !== undefined && { amount }),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${urls.join(', ')}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  const cpuPerRequest = (servers.reduce((sum, s) => sum + cpuMs(s.pid), 0) - cpuBefore) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total, cpuPerRequest };
}

export type Measure = Awaited<ReturnType<typeof pointsLoad>>;

/**
 * Waits until a process has been nearly idle (under 5 % of a core) for a second, at most a minute.
 * The bot's first conversation writes compact the imported store's journal into its snapshot, a few
 * seconds of work spread over the event loop: measured, it would count against whichever round it
 * fell in.
 */
export async function settle({ pid }: Server): Promise<void> {
  for (let waited = 0; waited < 60; waited += 1) {
    const before = cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (!(cpuMs(pid) - before >= 50)) return;
  }
}
