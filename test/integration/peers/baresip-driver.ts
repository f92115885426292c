/**
 * Drives a real baresip (Debian's 1.0.x) headless for the peer tests: writes
 * a config folder (no sound card: ausine as the microphone, no player), one
 * account, and talks to it through the ctrl_tcp module (netstrings carrying
 * JSON commands and events). Stopped by the PID we started; every wait is
 * bounded.
 */
import { connect, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPeer, type PeerRun } from './peer-process.ts';

export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly param?: string;
  readonly peeruri?: string;
  readonly [k: string]: unknown;
}

export interface BaresipOptions {
  readonly user: string;
  readonly password: string;
  readonly switchPort: number;
  readonly sipPort: number;
  readonly ctrlPort: number;
  readonly timeoutMs: number;
}

export class Baresip {
  readonly run: PeerRun;
  readonly dir: string;
  readonly events: BaresipEvent[] = [];
  readonly responses: Array<{ ok: boolean; data: string }> = [];
  #sock: Socket | undefined;
  #buf = '';

  private constructor(run: PeerRun, dir: string) {
    this.run = run;
    this.dir = dir;
  }

  static writeConfig(o: BaresipOptions): string {
    const dir = mkdtempSync(join(tmpdir(), 'belfry-baresip-'));
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${o.sipPort}`,
        // No sound card in CI: a 440 Hz sine is the microphone; nothing plays.
        'audio_source ausine,440',
        'audio_player aufile,/dev/null',
        'audio_alert aufile,/dev/null',
        // ausine produces 48 kHz stereo only; baresip resamples to the codec's 8 kHz.
        'ausrc_srate 48000',
        'ausrc_channels 2',
        'rtp_stats yes',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module ausine.so',
        'module aufile.so',
        'module_app account.so',
        'module_app menu.so',
        'module ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${o.ctrlPort}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'accounts'), `<sip:${o.user}@127.0.0.1:${o.switchPort}>;auth_pass=${o.password};regint=300;audio_codecs=PCMU,PCMA\n`);
    return dir;
  }

  static async start(o: BaresipOptions): Promise<Baresip> {
    const dir = Baresip.writeConfig(o);
    // -n 127.0.0.1: bind to loopback, whatever the machine's interfaces are.
    const run = runPeer('baresip', ['-f', dir, '-n', '127.0.0.1', '-s', '-t', String(Math.ceil(o.timeoutMs / 1000))], { cwd: dir, timeoutMs: o.timeoutMs + 5000 });
    const b = new Baresip(run, dir);
    await b.#connect(o.ctrlPort);
    return b;
  }

  async #connect(port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        this.#sock = await new Promise<Socket>((res, rej) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => res(s));
          s.once('error', rej);
        });
        break;
      } catch (e) {
        if (Date.now() > deadline || this.run.child.exitCode !== null) throw new Error(`baresip ctrl_tcp not reachable: ${(e as Error).message}\n${this.run.output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.#sock.setEncoding('utf8');
    this.#sock.on('error', () => undefined);
    this.#sock.on('data', (c: string) => {
      this.#buf += c;
      // Netstrings: "<len>:<payload>,"
      for (;;) {
        const colon = this.#buf.indexOf(':');
        if (colon < 0) return;
        const len = Number(this.#buf.slice(0, colon));
        if (!Number.isInteger(len) || this.#buf.length < colon + 1 + len + 1) return;
        const payload = this.#buf.slice(colon + 1, colon + 1 + len);
        this.#buf = this.#buf.slice(colon + 2 + len);
        try {
          const j = JSON.parse(payload) as { event?: boolean; response?: boolean; ok?: boolean; data?: string } & BaresipEvent;
          if (j.event) this.events.push(j);
          else if (j.response) this.responses.push({ ok: j.ok === true, data: j.data ?? '' });
        } catch {
          /* not JSON: ignore */
        }
      }
    });
  }

  command(command: string, params = ''): void {
    const p = JSON.stringify({ command, params, token: String(Date.now()) });
    this.#sock?.write(`${Buffer.byteLength(p)}:${p},`);
  }

  async waitEvent(type: string, timeoutMs: number): Promise<BaresipEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.type === type);
      if (e) return e;
      if (Date.now() > deadline) throw new Error(`baresip: no ${type} event within ${timeoutMs} ms; events: ${this.events.map((x) => x.type).join(',')}\n${this.run.output().slice(-3000)}`);
      if (this.run.child.exitCode !== null) throw new Error(`baresip exited (${this.run.child.exitCode}) before ${type}\n${this.run.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<number> {
    this.#sock?.destroy();
    return this.run.stop();
  }
}
