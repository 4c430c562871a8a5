import { runService } from '@dais/shared';
import { loadOrchestratorConfig } from './config/orchestrator.config';
import { createOrchestrator } from './orchestrator';

runService('orchestrator', () => createOrchestrator(loadOrchestratorConfig()));
