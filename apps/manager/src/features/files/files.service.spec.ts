import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { DaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { SiteRepository } from '../sites/site.repository';
import { alice, bob, root } from '../../testing/actors';
import { InMemorySites } from '../../testing/in-memory-sites';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { fakeFilesClient } from '../../testing/scripted-peer';
import { FilesService, type IncomingUpload } from './files.service';

const LIMITS = { uploadMaxBytes: 16, archiveMaxBytes: 1_000, archiveMaxEntries: 10 };
const done = (path: string) => ({ path });

/** Sites blog (id 1, alice's) and locked (id 2, alice's, disabled by an admin); the files peer answers only what a test arranges. */
function setup() {
  const store = new InMemorySites();
  store.seed({ name: 'blog' }, [alice.id]);
  store.seed({ name: 'locked', availability: 'disabled' }, [alice.id]);
  const files = fakeFilesClient().answer('limits', () => LIMITS);
  const audit = new RecordingAudit();
  const service = new FilesService(store as unknown as SiteRepository, files.client, audit as unknown as AuditService);
  return { service, files, audit };
}

function upload(content: string, contentType: string | null = 'application/octet-stream', announced: number | null = null): IncomingUpload {
  return { body: Readable.from([Buffer.from(content)]), announcedBytes: announced, contentType };
}

describe('who may see and change a site’s files', () => {
  it('lets members and admins read, and answers others as if the site did not exist, asking the peer nothing', async () => {
    const { service, files } = setup();
    files.answer('list', (_siteId, path) => ({ path, entries: [], truncated: false }));
    expect(await service.list(alice, 1, '/')).toEqual({ path: '/', entries: [], truncated: false });
    expect(await service.list(root, 1, '/public')).toEqual({ path: '/public', entries: [], truncated: false });
    const answers = await Promise.all([
      refusal(service.list(bob, 1, '/')),
      refusal(service.stat(bob, 1, '/')),
      refusal(service.list(alice, 99, '/')),
    ]);
    expect(answers.map((answer) => answer.code)).toEqual(['SITE_NOT_FOUND', 'SITE_NOT_FOUND', 'SITE_NOT_FOUND']);
    expect(answers[0].message).toBe(answers[2].message.replace('99', '1'));
    expect(files.callsTo('list')).toEqual([
      [1, '/'],
      [1, '/public'],
    ]);
  });

  it('lets a member read a site an admin locked, but change nothing in it; an admin still may', async () => {
    const { service, files, audit } = setup();
    files.answer('stat', (_siteId, path) => done(path)).answer('change', (_siteId, _action, body) => done((body as { path: string }).path));
    expect(await service.stat(alice, 2, '/a')).toEqual({ path: '/a' });
    expect((await refusal(service.mkdir(alice, 2, '/new'))).code).toBe('SITE_LOCKED');
    expect((await refusal(service.upload(alice, 2, { path: '/f', overwrite: true }, upload('x')))).code).toBe('SITE_LOCKED');
    expect(files.callsTo('change')).toEqual([]);
    await service.mkdir(root, 2, '/new');
    expect(files.callsTo('change')).toEqual([[2, 'mkdir', { path: '/new' }]]);
    expect(audit.entries).toMatchObject([{ action: 'file.mkdir', actor: { id: root.id }, site: { id: 2, name: 'locked' } }]);
  });
});

describe('changes are relayed and audited with their outcome', () => {
  it('records each change with what it touched (a written file’s size, a mode in octal)', async () => {
    const { service, files, audit } = setup();
    files.answer('change', (_siteId, _action, body) => done((body as { path?: string; to?: string }).path ?? (body as { to: string }).to));
    await service.write(alice, 1, { path: '/index.html', content: 'aGk=', encoding: 'base64', overwrite: true });
    await service.rename(alice, 1, { from: '/index.html', to: '/home.html', overwrite: false });
    await service.chmod(alice, 1, { path: '/home.html', mode: 0o640 });
    await service.remove(alice, 1, { path: '/home.html', recursive: false });
    expect(files.calls.map((call) => call.args[1])).toEqual(['write', 'rename', 'chmod', 'delete']);
    expect(audit.entries.map((entry) => [entry.action, entry.details])).toEqual([
      ['file.write', { path: '/index.html', bytes: 2, outcome: 'ok' }],
      ['file.rename', { from: '/index.html', to: '/home.html', outcome: 'ok' }],
      ['file.chmod', { path: '/home.html', mode: '640', outcome: 'ok' }],
      ['file.delete', { path: '/home.html', recursive: false, outcome: 'ok' }],
    ]);
  });

  it('passes the orchestrator’s refusal on unchanged and records it as the outcome', async () => {
    const { service, files, audit } = setup();
    files.answer('change', () => {
      throw new DaisError('FILE_NOT_FOUND', 'No such file.');
    });
    expect(await refusal(service.remove(alice, 1, { path: '/gone', recursive: false }))).toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(audit.entries).toMatchObject([{ action: 'file.delete', details: { path: '/gone', outcome: 'FILE_NOT_FOUND' } }]);
  });

  it('records an unreachable orchestrator as INTERNAL and throws its error', async () => {
    const { service, files, audit } = setup();
    files.fail('change', 'connect ECONNREFUSED');
    await expect(service.mkdir(alice, 1, '/new')).rejects.toThrow('connect ECONNREFUSED');
    expect(audit.entries).toMatchObject([{ action: 'file.mkdir', details: { outcome: 'INTERNAL' } }]);
  });
});

describe('uploads', () => {
  it('relays exactly the bytes received, signed with their size and SHA-256, then removes the spooled copy', async () => {
    const { service, files, audit } = setup();
    let relayed = '';
    let reopen: (() => Readable) | undefined;
    files.answer('upload', async (_siteId, signed) => {
      relayed = await text(signed.open());
      reopen = signed.open;
      return done(signed.path);
    });
    await service.upload(alice, 1, { path: '/a.txt', overwrite: true }, upload('hello files'));
    const sha256 = createHash('sha256').update('hello files').digest('hex');
    expect(relayed).toBe('hello files');
    expect(files.callsTo('upload')).toMatchObject([[1, { path: '/a.txt', size: 11, sha256 }]]);
    expect(audit.entries).toMatchObject([{ action: 'file.upload', details: { path: '/a.txt', bytes: 11, sha256, outcome: 'ok' } }]);
    await expect(text(reopen!())).rejects.toThrow(/ENOENT/);
  });

  it('refuses an upload announced past the limit before reading it (FILE_TOO_LARGE)', async () => {
    const { service, files, audit } = setup();
    const answer = await refusal(service.upload(alice, 1, { path: '/big', overwrite: true }, upload('x', 'application/octet-stream', 17)));
    expect(answer).toMatchObject({ code: 'FILE_TOO_LARGE', details: { limitBytes: 16 } });
    expect(files.callsTo('limits')).toEqual([[1]]);
    expect(audit.entries).toEqual([]);
  });

  it('refuses one that turns out larger than announced, relaying nothing', async () => {
    const { service, files } = setup();
    files.answer('upload', (_siteId, signed) => done(signed.path));
    const answer = await refusal(
      service.upload(alice, 1, { path: '/big', overwrite: true }, upload('x'.repeat(17), 'application/octet-stream', 3)),
    );
    expect(answer.code).toBe('FILE_TOO_LARGE');
    expect(files.callsTo('upload')).toEqual([]);
  });

  it('refuses a body that is not a stream (UNSUPPORTED_MEDIA_TYPE)', async () => {
    const { service } = setup();
    const answer = await refusal(
      service.upload(
        alice,
        1,
        { path: '/a', overwrite: true },
        { body: { parsed: 'json' }, announcedBytes: null, contentType: 'application/json' },
      ),
    );
    expect(answer.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('relays a form with its boundary, recording the names of the files stored', async () => {
    const { service, files, audit } = setup();
    const entry = (name: string) => ({ name, type: 'file' as const, size: 1, mode: 0o644, mtimeMs: 0 });
    files.answer('uploadForm', (_siteId, signed) => ({ path: signed.path, entries: [entry('a.txt'), entry('b.txt')] }));
    const result = await service.uploadForm(
      alice,
      1,
      { path: '/docs', overwrite: true },
      upload('--b1--', 'multipart/form-data; boundary=b1'),
    );
    expect(result.entries).toHaveLength(2);
    expect(files.callsTo('uploadForm')).toMatchObject([[1, { path: '/docs', boundary: 'b1', size: 6 }]]);
    expect(audit.entries).toMatchObject([
      { action: 'file.upload', details: { path: '/docs', form: true, files: ['a.txt', 'b.txt'], outcome: 'ok' } },
    ]);
  });

  it('refuses a form without a boundary before asking the orchestrator anything', async () => {
    const { service, files } = setup();
    const answer = await refusal(service.uploadForm(alice, 1, { path: '/docs', overwrite: true }, upload('x', 'multipart/form-data')));
    expect(answer.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(files.calls).toEqual([]);
  });
});
