import { runService } from '@dais/shared';
import { loadShellConfig } from './config/shell.config';
import { createShell } from './shell';

runService('shell', () => createShell(loadShellConfig()));
