import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A machine of its own on the wire, as far as this host can tell: a network namespace joined to
 * this host by a veth pair, with an IPv4 and an IPv6 address, routing everything through this host.
 * Its packets arrive like a visitor's from another machine (PREROUTING, FORWARD or INPUT on the
 * host side of the veth), not as this host's own traffic. Needs root and iproute2.
 */
export class VisitorNamespace {
  private constructor(
    readonly name: string,
    private readonly hostSide: string,
    /** This host's addresses on the link (what the visitor reaches it at). */
    readonly hostIPv4: string,
    readonly hostIPv6: string,
  ) {}

  /** Creates the namespace on a /30 and a /64 of test address space (RFC 2544 and ULA). */
  static async create(): Promise<VisitorNamespace> {
    const id = randomBytes(2);
    const name = `dais-visitor-${id.toString('hex')}`;
    const hostSide = `dv${id.toString('hex')}h`;
    const inside = `dv${id.toString('hex')}v`;
    const v4 = `198.18.${id[0]!}.${(id[1]! & 0x3f) * 4}`;
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    const hostIPv4 = `${a}.${b}.${c}.${d + 1}`;
    const visitorIPv4 = `${a}.${b}.${c}.${d + 2}`;
    const v6 = `fd00:da15:${id.toString('hex')}::`;
    const namespace = new VisitorNamespace(name, hostSide, hostIPv4, `${v6}1`);
    const steps = [
      ['netns', 'add', name],
      ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', inside],
      ['link', 'set', inside, 'netns', name],
      ['addr', 'add', `${hostIPv4}/30`, 'dev', hostSide],
      ['-6', 'addr', 'add', `${v6}1/64`, 'dev', hostSide, 'nodad'],
      ['link', 'set', hostSide, 'up'],
      ['-n', name, 'addr', 'add', `${visitorIPv4}/30`, 'dev', inside],
      ['-n', name, '-6', 'addr', 'add', `${v6}2/64`, 'dev', inside, 'nodad'],
      ['-n', name, 'link', 'set', inside, 'up'],
      ['-n', name, 'link', 'set', 'lo', 'up'],
      ['-n', name, 'route', 'add', 'default', 'via', hostIPv4],
      ['-n', name, '-6', 'route', 'add', 'default', 'via', `${v6}1`],
    ];
    try {
      for (const step of steps) await run('ip', step);
    } catch (error) {
      await namespace.remove();
      throw error;
    }
    return namespace;
  }

  /**
   * Opens a TCP connection from inside the namespace and sends an HTTP request: the answer's
   * text, or null when the connection was refused or timed out.
   */
  async httpGet(host: string, port: number, hostHeader = 'visitor'): Promise<string | null> {
    const script = `printf 'GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' "$3" | busybox nc -w 3 "$1" "$2"`;
    try {
      const { stdout } = await run('ip', ['netns', 'exec', this.name, 'busybox', 'sh', '-c', script, 'sh', host, String(port), hostHeader]);
      return stdout.length > 0 ? stdout : null;
    } catch {
      return null;
    }
  }

  async remove(): Promise<void> {
    await run('ip', ['link', 'del', this.hostSide]).catch(() => undefined);
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
  }
}
