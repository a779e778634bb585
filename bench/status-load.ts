/**
 * The status load of the API bench, in a process of its own so that nothing the bench itself
 * does (starting syncs, polling tasks) delays the requests it times. Requests go out evenly
 * spaced (one every 1/rate s, over keep-alive connections), each timed from the moment it was
 * due (or sent, if that was earlier): the driver sends no bursts that queue at the server, and
 * a request it sends late because the machine is busy is charged to the figure, not dropped.
 */
import { Agent, request } from 'node:http';

const [url, headersJson, rateText, secondsText] = process.argv.slice(2);
const headers = JSON.parse(headersJson!) as Record<string, string>;
const rate = Number(rateText);
const total = Math.round(rate * Number(secondsText));
const agent = new Agent({ keepAlive: true, maxSockets: 50 });
const latencies: number[] = [];
let errors = 0;
let non2xx = 0;

function send(due: number): Promise<void> {
  // Timed from when it was due, so that a request this process sends late (the machine busy) is
  // charged to the figure, as the README says; or from its send, when the timer woke a little
  // before it was due. Timing those from when they were due left part of their wait out (p50s
  // below zero), and timing late ones from their send left their lateness out.
  const from = Math.min(due, performance.now());
  return new Promise((resolve) => {
    const req = request(url!, { agent, headers }, (res) => {
      if (res.statusCode! < 200 || res.statusCode! >= 300) non2xx++;
      res.resume();
      res.once('end', () => { latencies.push(performance.now() - from); resolve(); });
    });
    req.once('error', () => { errors++; resolve(); });
    req.end();
  });
}

const start = performance.now() + 50;
const inFlight: Array<Promise<void>> = [];
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
  inFlight.push(send(due));
}
await Promise.all(inFlight);
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
process.stdout.write(JSON.stringify({ p50: at(0.5), p99: at(0.99), average: Math.round((latencies.length / Number(secondsText)) * 10) / 10, errors, non2xx }));
