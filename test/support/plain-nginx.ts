import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NginxInstance } from '@dais/nginx';
import { tempDir } from './temp-dir';

/** A running private nginx; `stop` also removes its folder. */
export interface PlainNginx {
  /** Where its access log is (when the server block logs). */
  accessLog: string;
  stop(): Promise<void>;
}

/**
 * Starts a private nginx with one hand-written `server {}` block (given the instance's folder, for
 * paths), for tests and benchmarks that need an nginx the product does not render: a stand-in
 * orchestrator, a plain file server to compare with.
 */
export async function startPlainNginx(label: string, serverBlock: (dir: string) => string): Promise<PlainNginx> {
  const dir = await tempDir(label);
  for (const folder of ['logs', 'temp', 'run']) await mkdir(join(dir.path, folder), { recursive: true });
  const conf = join(dir.path, 'nginx.conf');
  await writeFile(
    conf,
    `worker_processes 1;
pid ${dir.path}/run/nginx.pid;
# Where NginxInstance looks for it: with the pid anywhere else, stop() found no master and left it running.
error_log ${dir.path}/logs/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path ${dir.path}/temp;
    proxy_temp_path ${dir.path}/temp;
    access_log ${dir.path}/logs/access.log;
    sendfile on;
    keepalive_timeout 65s;
${serverBlock(dir.path)}
}
`,
  );
  const nginx = new NginxInstance({ prefix: dir.path, liveConfFile: conf });
  await nginx.test(conf);
  await nginx.start();
  return {
    accessLog: join(dir.path, 'logs', 'access.log'),
    async stop() {
      await nginx.stop();
      await dir.remove();
    },
  };
}
