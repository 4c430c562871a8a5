import { runService } from '@dais/shared';
import { loadRouterConfig } from './config/router.config';
import { createRouter } from './router';

runService('router', () => createRouter(loadRouterConfig()));
